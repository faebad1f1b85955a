/**
 * The core: what a conversion message is, the stages it goes through, and what becomes of it. Imports no
 * SQS, HTTP or AWS types; {@code meta}, {@code sqs}, {@code credentials} and {@code metrics} plug in
 * through the ports declared here.
 */
package ai.track.capidispatch.dispatch;
