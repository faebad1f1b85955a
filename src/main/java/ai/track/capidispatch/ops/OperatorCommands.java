package ai.track.capidispatch.ops;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The operator commands of {@code java -jar capi-dispatch-worker.jar COMMAND ...}: {@code send},
 * {@code dlq inspect}, {@code dlq redrive}, {@code help}. They run instead of the worker, without Spring.
 */
public final class OperatorCommands {

    static final int OK = 0;
    /** Some messages were not sent or moved; the report says which. */
    static final int INCOMPLETE = 1;
    static final int USAGE = 2;
    /** The command stopped: SQS refused or could not be reached, the file could not be read. */
    static final int STOPPED = 3;

    static final String JAR = "java -jar capi-dispatch-worker.jar";
    private static final Set<String> HELP_OPTIONS = Set.of("-h", "--help");

    private final OpsContext context;

    OperatorCommands(OpsContext context) {
        this.context = context;
    }

    /**
     * Whether {@code main} hands over to a command: a first argument that is not an option names one, and
     * {@code -h} / {@code --help} ask for this help. The worker takes only {@code --name=value} arguments, so
     * a mistyped command ends in a usage error here instead of starting a worker that consumes the queue
     * with an operator's credentials.
     */
    public static boolean isOperatorCommand(String[] args) {
        return args.length > 0 && (!args[0].startsWith("-") || HELP_OPTIONS.contains(args[0]));
    }

    /** Runs a command against the real environment and streams; returns its exit status. */
    public static int run(String[] args) {
        // Logback reads this when the first logger is created, which has not happened yet: without Spring it
        // would otherwise log every SDK request at DEBUG to stdout, in the middle of the report.
        System.setProperty("logback.configurationFile", "ai/track/capidispatch/ops/logback-ops.xml");
        return new OperatorCommands(OpsContext.system()).execute(args);
    }

    int execute(String... args) {
        return commandLine().execute(args);
    }

    CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Root());
        cli.addSubcommand(new SendCommand(context));
        CommandLine dlq = new CommandLine(new Dlq());
        dlq.addSubcommand(new DlqInspectCommand(context));
        dlq.addSubcommand(new DlqRedriveCommand(context));
        cli.addSubcommand(dlq);
        describeExitCodes(cli);
        cli.setOut(new PrintWriter(context.out(), true));
        cli.setErr(new PrintWriter(context.err(), true));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof SdkException sdk) {
                commandLine.getErr().println("Stopped: SQS answered " + QueueClient.errorCode(sdk) + ": "
                        + sdk.getMessage());
            } else {
                e.printStackTrace(commandLine.getErr());
            }
            return STOPPED;
        });
        return cli;
    }

    private static void describeExitCodes(CommandLine cli) {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put(" " + OK, "done: everything that should have been sent or moved was");
        codes.put(" " + INCOMPLETE, "some messages were not sent or moved; the report names them");
        codes.put(" " + USAGE, "wrong arguments, or a queue URL is missing");
        codes.put(" " + STOPPED, "stopped early: SQS refused or could not be reached");
        cli.getCommandSpec().usageMessage().exitCodeListHeading("%nExit status:%n").exitCodeList(codes);
        cli.getSubcommands().values().forEach(sub -> {
            if (!(sub.getCommand() instanceof HelpCommand)) {
                describeExitCodes(sub);
            }
        });
    }

    @Command(name = JAR, synopsisSubcommandLabel = "COMMAND", subcommands = HelpCommand.class,

            description = {"Operator commands for the capi-dispatch queues. Without a command the jar starts the "
                    + "worker.", "",
                    "Queues come from SQS_QUEUE_URL / SQS_DLQ_URL, the region from AWS_REGION (default us-east-1), "
                            + "credentials from the AWS SDK's default chain; options override them."})
    static final class Root implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
        boolean help;

        @Override
        public Integer call() {
            throw new ParameterException(spec.commandLine(), "Missing command");
        }
    }

    @Command(name = "dlq", synopsisSubcommandLabel = "(inspect | redrive)",
            description = "Look at or redrive the dead-letter queue (SQS_DLQ_URL).")
    static final class Dlq implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
        boolean help;

        @Override
        public Integer call() {
            throw new ParameterException(spec.commandLine(), "Missing command: inspect or redrive");
        }
    }
}
