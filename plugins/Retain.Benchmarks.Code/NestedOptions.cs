using System.ComponentModel.DataAnnotations;

namespace Retain.Benchmarks.Code;

/// <summary>
/// Validates the nested option groups (<c>Sampling</c>, <c>Sandbox</c>) that DataAnnotations validation of the outer
/// options object does not descend into.
/// </summary>
internal static class NestedOptions
{
    /// <summary>Throws <see cref="ValidationException"/> naming the first invalid nested property.</summary>
    public static void Validate(string benchmark, params (string Name, object Options)[] groups)
    {
        foreach (var (name, options) in groups)
        {
            var errors = new List<ValidationResult>();
            if (!Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true))
            {
                var e = errors[0];
                throw new ValidationException($"{benchmark}: {name}.{string.Join(",", e.MemberNames)}: {e.ErrorMessage}");
            }
        }
    }
}
