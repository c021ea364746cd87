// Babel is used by Jest to run the TypeScript tests; the packages are built with tsc.
module.exports = {
  presets: [
    ['@babel/preset-env', { targets: { node: '20' } }],
    '@babel/preset-typescript',
  ],
};
