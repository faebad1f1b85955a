package ai.track.capidispatch.meta;

import ai.track.capidispatch.dispatch.ConversionsGateway;
import ai.track.capidispatch.dispatch.GatewayResult;
import ai.track.capidispatch.dispatch.PixelBatch;
import ai.track.capidispatch.dispatch.ServerEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code META_DRY_RUN}: everything up to the request happens (parse, validate, normalize, hash), then a
 * summary is logged instead of sending, and the message counts as delivered.
 */
final class DryRunConversionsGateway implements ConversionsGateway {

    private static final Logger log = LoggerFactory.getLogger(DryRunConversionsGateway.class);

    @Override
    public GatewayResult send(PixelBatch batch) {
        for (ServerEvent event : batch.events()) {
            log.atInfo().addKeyValue("record", "DryRun")
                    .addKeyValue("pixel_id", batch.pixelId())
                    .addKeyValue("test_event_code", batch.testEventCode())
                    .addKeyValue("event_name", event.eventName())
                    .addKeyValue("event_id", event.eventId())
                    .addKeyValue("action_source", event.actionSource())
                    .addKeyValue("user_data_fields", event.userData().customerInformation().keySet().toString())
                    .log("Dry run: would send {} to Meta", event.eventName());
        }
        return GatewayResult.delivered(0, null);
    }
}
