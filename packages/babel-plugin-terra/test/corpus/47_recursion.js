function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
const fact = (n) => (n <= 1 ? 1 : n * fact(n - 1));
function ack(m, n) { return m === 0 ? n + 1 : n === 0 ? ack(m - 1, 1) : ack(m - 1, ack(m, n - 1)); }
console.log(fib(15), fact(10), ack(2, 3));
