/**
 * Operator commands shipped in the worker's jar ({@code java -jar worker.jar send | dlq inspect | dlq redrive}):
 * they run without Spring, talk to SQS through {@link ai.track.capidispatch.ops.QueueClient} only, and print
 * to the streams they are given. The worker itself never calls into this package.
 */
package ai.track.capidispatch.ops;
