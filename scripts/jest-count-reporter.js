// A Jest reporter printing one test-count line per run, e.g.
//   test count (unit): 364 tests in 54 files: 364 passed, 0 failed, 0 skipped
// It runs before Jest's default reporter, so the summary stays the last thing a run prints.
export default class CountReporter {
  constructor(globalConfig) {
    this.suite = process.env.TEST_SUITE ?? globalConfig.selectProjects?.join(', ');
  }

  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const suite = this.suite ? ` (${this.suite})` : '';
    process.stderr.write(
      `\ntest count${suite}: ${results.numTotalTests} tests in ${results.numTotalTestSuites} files: ` +
        `${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`,
    );
  }
}
