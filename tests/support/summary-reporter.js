/**
 * Prints one plain closing line, `N passed, N failed` (`, N skipped`), as the very last line of a jest run,
 * so that any log reader can tell how many tests ran.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`;
    // jest prints its own summary after the reporters; stderr writes at exit are synchronous.
    process.once("exit", () => process.stderr.write(`\n${line}\n`));
  }
}
module.exports = SummaryReporter;
