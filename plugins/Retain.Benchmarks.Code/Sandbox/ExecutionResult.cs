namespace Retain.Benchmarks.Code.Sandbox;

/// <summary>The outcome of one program.</summary>
/// <param name="Passed">True only when the program ran to the end without an exception (code_eval's "passed").</param>
/// <param name="Outcome"><c>passed</c>, <c>timed out</c>, <c>failed: …</c>, or a sandbox error.</param>
/// <param name="Elapsed">Wall time of the process.</param>
/// <param name="StderrTail">The last bytes the process wrote to stderr (diagnostics).</param>
public sealed record ExecutionResult(bool Passed, string Outcome, TimeSpan Elapsed, string StderrTail);
