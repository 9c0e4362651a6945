namespace Retain.Datasets.Scoring;

/// <summary>Per-class recall, balanced accuracy and the confusion matrix of a classification.</summary>
/// <param name="BalancedAccuracy">Mean recall over the classes present among the gold labels.</param>
/// <param name="Accuracy">Fraction of predictions equal to the gold label.</param>
/// <param name="Recall">Recall of each class present among the gold labels.</param>
/// <param name="Support">Gold count of each class present.</param>
/// <param name="Confusion">Gold label → predicted label → count, over the sorted union of gold and predicted labels.</param>
public sealed record ClassificationScore(
    double BalancedAccuracy,
    double Accuracy,
    IReadOnlyDictionary<string, double> Recall,
    IReadOnlyDictionary<string, int> Support,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Confusion);

/// <summary>
/// scikit-learn's <c>balanced_accuracy_score</c> (adjusted=False, no weights): the confusion matrix over the sorted
/// union of labels, recall = diagonal ÷ row total per class, and the mean over classes with gold support (a label seen
/// only among predictions, e.g. an invalid answer, has no row and is left out of the mean, as sklearn drops its NaN).
/// </summary>
public static class Classification
{
    /// <summary>Scores predictions against gold labels (same length, in order).</summary>
    public static ClassificationScore Score(IReadOnlyList<string> gold, IReadOnlyList<string> predicted)
    {
        if (gold.Count != predicted.Count) throw new ArgumentException($"{gold.Count} gold labels but {predicted.Count} predictions.");
        var labels = gold.Concat(predicted).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var matrix = labels.ToDictionary(g => g, _ => labels.ToDictionary(p => p, _ => 0, StringComparer.Ordinal), StringComparer.Ordinal);
        for (int i = 0; i < gold.Count; i++) matrix[gold[i]][predicted[i]]++;

        var support = new Dictionary<string, int>(StringComparer.Ordinal);
        var recall = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var label in labels)
        {
            int total = matrix[label].Values.Sum();
            if (total == 0) continue;
            support[label] = total;
            recall[label] = (double)matrix[label][label] / total;
        }
        double balanced = recall.Count == 0 ? 0 : recall.Values.Average();
        double accuracy = gold.Count == 0 ? 0 : (double)Enumerable.Range(0, gold.Count).Count(i => gold[i] == predicted[i]) / gold.Count;
        var confusion = matrix.Where(row => support.ContainsKey(row.Key))
            .ToDictionary(row => row.Key, row => (IReadOnlyDictionary<string, int>)row.Value, StringComparer.Ordinal);
        return new ClassificationScore(balanced, accuracy, recall, support, confusion);
    }
}
