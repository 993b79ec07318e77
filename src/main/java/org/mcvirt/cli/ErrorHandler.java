package org.mcvirt.cli;

import org.mcvirt.app.McvirtException;
import picocli.CommandLine;

/** The one place an error becomes a message and an exit code. */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception exception, CommandLine commandLine, CommandLine.ParseResult parsed) {
        var err = commandLine.getErr();
        if (exception instanceof McvirtException e) {
            err.println(switch (e.category()) {
                case MANIFEST, TEMPLATE -> e.getMessage(); // FILE:LINE:COLUMN: error: ...
                case NODE, PLAN, REFUSED, LOCKED, APPLY_FAILED -> "Error: " + e.getMessage();
            });
        } else {
            err.println("Error: internal error: " + exception);
            exception.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.ERROR;
    }
}
