/**
 * The console log's layout: JSON lines (Spring Boot's Logstash layout) for CloudWatch, or one line of text per
 * event for a developer's terminal, chosen by {@code LOG_FORMAT} or else by the profile.
 */
package ai.track.capidispatch.logging;
