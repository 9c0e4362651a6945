namespace Retain.Kernel;

/// <summary>A model file (config.json, safetensors, index, checkpoint) is missing, malformed or unsupported; the message names the file and key.</summary>
public class ModelFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A safetensors file is truncated, inconsistent or hostile.</summary>
public sealed class SafetensorsFormatException(string message, Exception? inner = null) : ModelFormatException(message, inner);

/// <summary>config.json names an unknown model type, lacks a key or sets an unsupported option.</summary>
public sealed class ModelConfigException(string message, Exception? inner = null) : ModelFormatException(message, inner);
