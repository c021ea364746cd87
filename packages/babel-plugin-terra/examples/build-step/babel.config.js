// Instrument the program at build time with babel-plugin-terra; run the output with
// `node -r @terrajs/cli/register dist/train.js` (see docs/build-step.md).
module.exports = {
  plugins: [['terra', { root: __dirname }]],
  sourceMaps: 'inline',
};
