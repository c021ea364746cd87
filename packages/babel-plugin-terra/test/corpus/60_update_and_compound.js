const o = { n: 1 }; const arr = [1, 2, 3]; let i = 0;
function idx() { return i++; }
arr[idx()] += 10; o.n **= 3; arr[idx()]++;
console.log(arr, o, i);
