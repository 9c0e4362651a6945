using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Retain.Datasets.Formats.Extractors;
using Retain.Plugins;

namespace Retain.Datasets.Formats;

/// <summary>Registers the <c>jsonl</c> and <c>alpaca</c> datasets and the answer extractors.</summary>
public sealed class FormatsPlugin : IRetainPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddDataset<JsonlDataset>();
        services.AddDataset<AlpacaDataset>();
        services.AddSingleton<IValidateOptions<JsonlOptions>, FormatOptionsValidator<JsonlOptions>>();
        services.AddSingleton<IValidateOptions<AlpacaOptions>, FormatOptionsValidator<AlpacaOptions>>();
        services.AddAnswerExtractor<LastNumberExtractor>();
        services.AddAnswerExtractor<Gsm8kStrictExtractor>();
        services.AddAnswerExtractor<Gsm8kFlexibleExtractor>();
        services.AddAnswerExtractor<JsonAnswerExtractor>();
        services.AddAnswerExtractor<BoxedExtractor>();
        services.AddAnswerExtractor<AnswerTagExtractor>();
    }
}
