package ai.track.capidispatch;

import ai.track.capidispatch.ops.OperatorCommands;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class CapiDispatchWorkerApplication {
    /**
     * {@code java -jar worker.jar} starts the worker; {@code java -jar worker.jar COMMAND ...} runs an operator
     * command ({@code send}, {@code dlq inspect}, {@code dlq redrive}, {@code help}) without starting Spring
     * and exits with its status.
     */
    public static void main(String[] args) {
        if (OperatorCommands.isOperatorCommand(args)) {
            System.exit(OperatorCommands.run(args));
        }
        SpringApplication.run(CapiDispatchWorkerApplication.class, args);
    }
}
