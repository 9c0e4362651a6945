namespace Retain.Benchmarks.Code.Sandbox;

/// <summary>
/// A program to judge, in two parts: <paramref name="Code"/> (the candidate's source) and <paramref name="Tests"/>
/// (the benchmark's checks). Honest programs get exactly the result of executing <c>Code + Tests</c> as one module;
/// the split lets the runner run the tests only after the candidate's top-level code has finished, and only then learn
/// the nonce its "passed" report must carry.
/// </summary>
public sealed record CodeProgram(string Code, string Tests)
{
    /// <summary>The source the reference implementations execute.</summary>
    public string Concatenated => Code + Tests;
}
