import { CliError, ExitCode } from './api-client.js';
import { HELP, parseCommandLine } from './command-line.js';

/** The `backtrack` command (bin/backtrack.js): parse, run, exit with the code pipelines branch on. */
async function main(): Promise<ExitCode> {
  try {
    const line = parseCommandLine(process.argv.slice(2), process.env);
    if ('help' in line) {
      process.stdout.write(HELP);
      return ExitCode.Ok;
    }
    const streams = { stdout: process.stdout, stderr: process.stderr };
    return await line.command.run(
      { client: line.client, json: Boolean(line.options.json), streams, pollIntervalMs: 1000 },
      line.args,
      line.options,
    );
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`backtrack: ${error.message}\n`);
      return error.exitCode;
    }
    // Not 1: that code means "the job ended in Exception", which a pipeline may answer with a rollback.
    process.stderr.write(
      `backtrack: unexpected failure talking to the server: ${(error as Error).stack ?? String(error)}\n`,
    );
    return ExitCode.Unreachable;
  }
}

process.exitCode = await main();
