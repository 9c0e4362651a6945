using Retain.Kernel;
using Retain.Kernel.Backends;
using Retain.Kernel.Chat;
using Retain.Kernel.Inference;
using Retain.Kernel.Models;
using Retain.Kernel.Tokenization;

namespace Retain.Hosting.Models;

/// <summary>
/// A Hugging Face model directory loaded for use: backend, weights, tokenizer, chat template (when one is recognised
/// or named) and the <see cref="KernelLanguageModel"/> evaluators talk to.
/// </summary>
public sealed class LoadedModel : IDisposable
{
    private readonly bool _ownsBackend;

    private LoadedModel(string directory, IBackend backend, bool ownsBackend, Tokenizer tokenizer, ChatTemplate? template, string? templateProblem, KernelLanguageModel language)
    {
        _ownsBackend = ownsBackend;
        Directory = directory;
        Backend = backend;
        Tokenizer = tokenizer;
        Template = template;
        TemplateProblem = templateProblem;
        Language = language;
    }

    /// <summary>The model directory.</summary>
    public string Directory { get; }

    /// <summary>The backend holding the weights.</summary>
    public IBackend Backend { get; }

    /// <summary>The tokenizer.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>The chat template, or null when the model has none that is recognised and none was named.</summary>
    public ChatTemplate? Template { get; }

    /// <summary>Why there is no template (the loader's message), when <see cref="Template"/> is null.</summary>
    public string? TemplateProblem { get; }

    /// <summary>The model as evaluators see it.</summary>
    public KernelLanguageModel Language { get; }

    /// <summary>The transformer.</summary>
    public TransformerModel Model => Language.Model;

    /// <summary>The template, or an error saying why there is none and how to name one.</summary>
    public ChatTemplate RequireTemplate() => Template ?? throw new ChatTemplateException(TemplateProblem ?? $"{Directory}: no chat template.");

    /// <summary>Loads a model directory on a device (<c>cpu</c> or <c>cuda</c>).</summary>
    /// <param name="directory">The Hugging Face directory, or a hub-cache folder with an optional <c>@revision</c> (<see cref="ModelSource"/>).</param>
    /// <param name="device">The device.</param>
    /// <param name="chatTemplate">A template name to use instead of recognising the model's own.</param>
    /// <param name="name">Display name (default: the directory's name).</param>
    /// <param name="generationDefaults">Apply generation_config.json's repetition penalty to generation (as transformers' generate does).</param>
    public static LoadedModel Load(string directory, string device = "cpu", string? chatTemplate = null, string? name = null, bool generationDefaults = false)
    {
        var backend = CreateBackend(device);
        try
        {
            return Load(directory, backend, ownsBackend: true, chatTemplate, name, generationDefaults);
        }
        catch
        {
            backend.Dispose();
            throw;
        }
    }

    /// <summary>Loads a model directory onto an existing backend (disposed with the model only when <paramref name="ownsBackend"/>).</summary>
    public static LoadedModel Load(string directory, IBackend backend, bool ownsBackend, string? chatTemplate = null, string? name = null, bool generationDefaults = false)
    {
        var full = ModelSource.Resolve(directory);
        var tokenizer = Tokenizer.Load(full);
        ChatTemplate? template = null;
        string? problem = null;
        try
        {
            template = ChatTemplate.Load(full, chatTemplate);
        }
        catch (ChatTemplateException e) when (chatTemplate is null)
        {
            problem = e.Message;
        }
        var language = KernelLanguageModel.Load(full, backend, tokenizer, template is null ? null : template.Render,
            new KernelLanguageModelOptions { Name = name ?? "model", TokenizerDirectory = full }, useGenerationConfigPenalty: generationDefaults);
        return new LoadedModel(full, backend, ownsBackend, tokenizer, template, problem, language);
    }

    /// <summary>Creates the backend for a device name (cpu, cuda, cuda:N).</summary>
    public static IBackend CreateBackend(string device) => BackendFactory.Create(device);

    /// <inheritdoc />
    public void Dispose()
    {
        Model.Dispose();
        if (_ownsBackend) Backend.Dispose();
    }
}
