namespace Retain.Benchmarks.IFEval.Instructions;

/// <summary>One verifiable instruction, configured with its kwargs (lm-eval's <c>Instruction.check_following</c>).</summary>
public interface IInstruction
{
    /// <summary>Whether <paramref name="response"/> follows the instruction.</summary>
    bool IsFollowed(string response);
}

/// <summary>An instruction checked by a function.</summary>
internal sealed class Check(Func<string, bool> check) : IInstruction
{
    public bool IsFollowed(string response) => check(response);
}
