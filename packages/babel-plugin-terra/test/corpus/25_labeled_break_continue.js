const out = [];
outer: for (let i = 0; i < 4; i++) {
  inner: for (let j = 0; j < 4; j++) {
    if (j === 2) continue outer;
    if (i === 3) break outer;
    out.push(i + '' + j);
  }
}
blk: { out.push('in'); if (out.length) break blk; out.push('never'); }
lbl: while (true) { do { break lbl; } while (false); }
console.log(out.join(','));
