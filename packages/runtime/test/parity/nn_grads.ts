/**
 * tfjs-core's CommonJS bundle does not register gradient functions; the @tensorflow/tfjs bundle
 * does, into the same global registry, so tf.grad works in these tests.
 */
import '@tensorflow/tfjs';
