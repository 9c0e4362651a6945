using Retain.Benchmarks.Code.Sandbox;

namespace Retain.Benchmarks.Code;

/// <summary>One code-generation problem: the prompt the model continues and how to test a completion.</summary>
/// <param name="TaskId">The dataset's id (e.g. <c>HumanEval/0</c> or <c>11</c>).</param>
/// <param name="Prompt">What the model sees.</param>
/// <param name="BuildProgram">The program to execute for a completion.</param>
public sealed record CodeProblem(string TaskId, string Prompt, Func<string, CodeProgram> BuildProgram);
