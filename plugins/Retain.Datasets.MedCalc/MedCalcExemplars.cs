using System.Globalization;
using System.Text.Json;
using Retain.Data;
using Retain.Datasets.Text;

namespace Retain.Datasets.MedCalc;

/// <summary>Reads MedCalc-Bench's <c>one_shot_finalized_explanation.json</c>: calculator id → exemplar.</summary>
public static class MedCalcExemplars
{
    /// <summary>
    /// The exemplars by calculator id. Each entry needs <c>Patient Note</c> and a <c>Response</c> object with
    /// <c>step_by_step_thinking</c> and <c>answer</c>; the output JSON is <c>json.dumps</c> of those two, in that order.
    /// </summary>
    public static IReadOnlyDictionary<int, MedCalcExemplar> Load(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new DataException($"{path}: cannot read the one-shot exemplars: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new DataException($"{path}: expected a JSON object keyed by calculator id.");
            }
            var exemplars = new Dictionary<int, MedCalcExemplar>();
            foreach (var entry in document.RootElement.EnumerateObject())
            {
                if (!int.TryParse(entry.Name, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
                {
                    throw new DataException($"{path}: key '{entry.Name}' is not a calculator id.");
                }
                if (entry.Value.ValueKind != JsonValueKind.Object
                    || !entry.Value.TryGetProperty("Patient Note", out var note) || note.ValueKind != JsonValueKind.String
                    || !entry.Value.TryGetProperty("Response", out var response) || response.ValueKind != JsonValueKind.Object
                    || !response.TryGetProperty("step_by_step_thinking", out var thinking)
                    || !response.TryGetProperty("answer", out var answer))
                {
                    throw new DataException($"{path}: calculator '{entry.Name}' needs \"Patient Note\" (a string) and \"Response\" with \"step_by_step_thinking\" and \"answer\".");
                }
                string output = "{\"step_by_step_thinking\": " + PythonJson.Dumps(thinking, asciiOnly: true) + ", \"answer\": " + PythonJson.Dumps(answer, asciiOnly: true) + "}";
                exemplars[id] = new MedCalcExemplar(note.GetString()!, output);
            }
            return exemplars;
        }
    }
}
