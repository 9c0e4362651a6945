using Retain.Data;

namespace Retain.Datasets.Reading;

/// <summary>
/// Applies a dataset's <see cref="BadRowPolicy"/> to a row it cannot use: <see cref="BadRowPolicy.Skip"/> records it
/// in the <see cref="DataReport"/>, <see cref="BadRowPolicy.Fail"/> stops the load with a <see cref="DataException"/>
/// naming the file, the line and the reason.
/// </summary>
public sealed class RowIssues(BadRowPolicy policy, DataReport report, string optionName = "badRows")
{
    /// <summary>The policy applied.</summary>
    public BadRowPolicy Policy => policy;

    /// <summary>Rejects one row.</summary>
    public void Reject(string file, int line, string reason)
    {
        if (policy == BadRowPolicy.Fail)
        {
            throw new DataException($"{file}:{line}: {reason}. Fix the row, or set the dataset option {optionName} to skip to skip such rows and list them in the data report.");
        }
        report.Reject(file, line, reason);
    }
}
