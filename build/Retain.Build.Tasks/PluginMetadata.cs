using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Retain.Build.Tasks;

/// <summary>What the manifest says about one component.</summary>
internal sealed record ComponentInfo(string Name, string Kind, IReadOnlyList<string> Roles, string Type, string Description, OptionsInfo? Options);

/// <summary>An options class and its settable properties.</summary>
internal sealed record OptionsInfo(string Type, IReadOnlyList<OptionInfo> Properties);

/// <summary>One option.</summary>
internal sealed record OptionInfo(string Name, string Type, string Description);

/// <summary>
/// Reads a plugin assembly's metadata without loading it (System.Reflection.Metadata), so the build can validate
/// a plugin whose dependencies are not resolvable inside MSBuild.
/// </summary>
internal sealed class PluginMetadata
{
    private const string PluginInterface = "Retain.Plugins.IRetainPlugin";
    private const string ComponentAttribute = "Retain.Plugins.RetainComponentAttribute";

    private static readonly Dictionary<string, (string Kind, string? Role)> ComponentInterfaces = new()
    {
        ["Retain.Training.ITokenObjective"] = ("strategy", "token-objective"),
        ["Retain.Training.IGradientRegularizer"] = ("strategy", "gradient-regularizer"),
        ["Retain.Training.IModelAdapter"] = ("strategy", "model-adapter"),
        ["Retain.Training.IPretrainingPass"] = ("strategy", "pretraining-pass"),
        ["Retain.Training.IPostTrainingMerge"] = ("strategy", "post-training-merge"),
        ["Retain.Training.ITrainingStrategy"] = ("strategy", null),
        ["Retain.Data.IDataset"] = ("dataset", null),
        ["Retain.Evaluation.IBenchmark"] = ("benchmark", null),
        ["Retain.Data.IAnswerExtractor"] = ("answer-extractor", null),
    };

    private readonly MetadataReader _reader;

    private PluginMetadata(MetadataReader reader) => _reader = reader;

    public IReadOnlyList<string> EntryPoints { get; private set; } = [];
    public IReadOnlyList<string> References { get; private set; } = [];
    public IReadOnlyList<ComponentInfo> Components { get; private set; } = [];
    public List<string> Problems { get; } = [];
    public string AssemblyName { get; private set; } = "";

    public static PluginMetadata Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata) throw new BadImageFormatException($"{path} is not a .NET assembly.");
        var metadata = new PluginMetadata(pe.GetMetadataReader());
        metadata.Scan();
        return metadata;
    }

    private void Scan()
    {
        AssemblyName = _reader.GetString(_reader.GetAssemblyDefinition().Name);
        References = _reader.AssemblyReferences.Select(h => _reader.GetString(_reader.GetAssemblyReference(h).Name)).ToList();

        var entryPoints = new List<string>();
        var components = new List<ComponentInfo>();
        foreach (var handle in _reader.TypeDefinitions)
        {
            var type = _reader.GetTypeDefinition(handle);
            var name = FullName(type);
            var interfaces = AllInterfaces(handle);
            bool isPublicClass = IsPublic(type) && (type.Attributes & TypeAttributes.Interface) == 0;
            bool isConcrete = (type.Attributes & TypeAttributes.Abstract) == 0;
            if (isPublicClass && isConcrete && interfaces.Contains(PluginInterface)) entryPoints.Add(name);

            foreach (var attributeHandle in type.GetCustomAttributes())
            {
                var attribute = _reader.GetCustomAttribute(attributeHandle);
                if (AttributeTypeName(attribute) != ComponentAttribute) continue;
                components.Add(ReadComponent(name, attribute, interfaces));
            }
        }
        EntryPoints = entryPoints;
        Components = components;

        foreach (var duplicate in components.GroupBy(c => (c.Kind, c.Name)).Where(g => g.Count() > 1))
        {
            Problems.Add($"{duplicate.Count()} {duplicate.Key.Kind} components are named '{duplicate.Key.Name}' ({string.Join(", ", duplicate.Select(c => c.Type))}); names must be unique per kind.");
        }
    }

    private ComponentInfo ReadComponent(string typeName, CustomAttribute attribute, HashSet<string> interfaces)
    {
        var value = attribute.DecodeValue(new TypeNameProvider());
        string componentName = value.FixedArguments.Length > 0 ? value.FixedArguments[0].Value as string ?? "" : "";
        string description = "";
        string? optionsType = null;
        foreach (var named in value.NamedArguments)
        {
            if (named.Name == "Description") description = named.Value as string ?? "";
            if (named.Name == "Options") optionsType = named.Value as string;
        }

        var matches = interfaces.Where(ComponentInterfaces.ContainsKey).Select(i => ComponentInterfaces[i]).ToList();
        var kinds = matches.Select(m => m.Kind).Distinct().ToList();
        string kind;
        if (kinds.Count == 1) kind = kinds[0];
        else if (kinds.Count == 0)
        {
            Problems.Add($"{typeName} has [RetainComponent(\"{componentName}\")] but implements no component interface (a strategy role, IDataset, IBenchmark or IAnswerExtractor).");
            kind = "unknown";
        }
        else
        {
            Problems.Add($"{typeName} implements interfaces of several kinds ({string.Join(", ", kinds)}); a component has one kind.");
            kind = kinds[0];
        }
        var roles = matches.Where(m => m.Role is not null).Select(m => m.Role!).Distinct().ToList();
        return new ComponentInfo(componentName, kind, roles, typeName, description, optionsType is null ? null : ReadOptions(optionsType));
    }

    private OptionsInfo ReadOptions(string optionsType)
    {
        // Options declared in another assembly are listed by name only.
        var handle = _reader.TypeDefinitions.FirstOrDefault(h => FullName(_reader.GetTypeDefinition(h)) == optionsType);
        if (handle.IsNil) return new OptionsInfo(optionsType, []);

        var properties = new List<OptionInfo>();
        for (var current = handle; !current.IsNil; current = BaseTypeInAssembly(current))
        {
            var type = _reader.GetTypeDefinition(current);
            foreach (var propertyHandle in type.GetProperties())
            {
                var property = _reader.GetPropertyDefinition(propertyHandle);
                var accessors = property.GetAccessors();
                if (accessors.Setter.IsNil || !IsPublic(_reader.GetMethodDefinition(accessors.Setter))) continue;
                var signature = property.DecodeSignature(new TypeNameProvider(), null);
                string description = "";
                foreach (var attributeHandle in property.GetCustomAttributes())
                {
                    var attribute = _reader.GetCustomAttribute(attributeHandle);
                    if (AttributeTypeName(attribute) != "System.ComponentModel.DescriptionAttribute") continue;
                    var value = attribute.DecodeValue(new TypeNameProvider());
                    if (value.FixedArguments.Length > 0) description = value.FixedArguments[0].Value as string ?? "";
                }
                var name = _reader.GetString(property.Name);
                if (properties.All(p => p.Name != name)) properties.Add(new OptionInfo(name, signature.ReturnType, description));
            }
        }
        return new OptionsInfo(optionsType, properties);
    }

    private TypeDefinitionHandle BaseTypeInAssembly(TypeDefinitionHandle handle)
    {
        var baseType = _reader.GetTypeDefinition(handle).BaseType;
        return baseType.Kind == HandleKind.TypeDefinition ? (TypeDefinitionHandle)baseType : default;
    }

    /// <summary>Interfaces of a type, of its base types declared in this assembly, and of interfaces declared here.</summary>
    private HashSet<string> AllInterfaces(TypeDefinitionHandle handle)
    {
        var result = new HashSet<string>();
        for (var current = handle; !current.IsNil; current = BaseTypeInAssembly(current))
        {
            AddInterfaces(_reader.GetTypeDefinition(current), result);
        }
        return result;
    }

    private void AddInterfaces(TypeDefinition type, HashSet<string> result)
    {
        foreach (var implementationHandle in type.GetInterfaceImplementations())
        {
            var implementation = _reader.GetInterfaceImplementation(implementationHandle);
            var name = HandleName(implementation.Interface);
            if (name is null || !result.Add(name)) continue;
            if (implementation.Interface.Kind == HandleKind.TypeDefinition)
            {
                AddInterfaces(_reader.GetTypeDefinition((TypeDefinitionHandle)implementation.Interface), result);
            }
            // Role interfaces all extend ITrainingStrategy, which lives in another assembly; record it for kind checks.
            if (name.StartsWith("Retain.Training.I", StringComparison.Ordinal)) result.Add("Retain.Training.ITrainingStrategy");
        }
    }

    private string? HandleName(EntityHandle handle) => handle.Kind switch
    {
        HandleKind.TypeDefinition => FullName(_reader.GetTypeDefinition((TypeDefinitionHandle)handle)),
        HandleKind.TypeReference => FullName(_reader.GetTypeReference((TypeReferenceHandle)handle)),
        _ => null, // generic instantiations are never component interfaces
    };

    private string? AttributeTypeName(CustomAttribute attribute)
    {
        EntityHandle parent = attribute.Constructor.Kind switch
        {
            HandleKind.MemberReference => _reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent,
            HandleKind.MethodDefinition => _reader.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType(),
            _ => default,
        };
        return parent.IsNil ? null : HandleName(parent);
    }

    private string FullName(TypeDefinition type)
    {
        var name = _reader.GetString(type.Name);
        if (type.GetDeclaringType() is { IsNil: false } declaring) return FullName(_reader.GetTypeDefinition(declaring)) + "+" + name;
        var ns = _reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    private string FullName(TypeReference type)
    {
        var name = _reader.GetString(type.Name);
        if (type.ResolutionScope.Kind == HandleKind.TypeReference)
            return FullName(_reader.GetTypeReference((TypeReferenceHandle)type.ResolutionScope)) + "+" + name;
        var ns = _reader.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    private static bool IsPublic(TypeDefinition type)
    {
        var visibility = type.Attributes & TypeAttributes.VisibilityMask;
        return visibility is TypeAttributes.Public or TypeAttributes.NestedPublic;
    }

    private static bool IsPublic(MethodDefinition method) => (method.Attributes & MethodAttributes.MemberAccessMask) == MethodAttributes.Public;

    /// <summary>Renders types as readable names (e.g. <c>System.Double</c>, <c>List&lt;String&gt;</c>).</summary>
    private sealed class TypeNameProvider : ICustomAttributeTypeProvider<string>, ISignatureTypeProvider<string, object?>
    {
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
        {
            PrimitiveTypeCode.Boolean => "bool",
            PrimitiveTypeCode.Int32 => "int",
            PrimitiveTypeCode.Int64 => "long",
            PrimitiveTypeCode.Single => "float",
            PrimitiveTypeCode.Double => "double",
            PrimitiveTypeCode.String => "string",
            _ => typeCode.ToString(),
        };
        public string GetSystemType() => "System.Type";
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeDefinition(handle);
            var ns = reader.GetString(type.Namespace);
            return ns.Length == 0 ? reader.GetString(type.Name) : ns + "." + reader.GetString(type.Name);
        }
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeReference(handle);
            var ns = reader.GetString(type.Namespace);
            return ns.Length == 0 ? reader.GetString(type.Name) : ns + "." + reader.GetString(type.Name);
        }
        public string GetTypeFromSerializedName(string name) => name.Split(',')[0];
        public PrimitiveTypeCode GetUnderlyingEnumType(string type) => PrimitiveTypeCode.Int32;
        public bool IsSystemType(string type) => type == "System.Type";
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[" + new string(',', shape.Rank - 1) + "]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments)
        {
            var tick = genericType.IndexOf('`');
            var baseName = tick < 0 ? genericType : genericType[..tick];
            baseName = baseName[(baseName.LastIndexOf('.') + 1)..];
            return baseName == "Nullable" ? typeArguments[0] + "?" : $"{baseName}<{string.Join(", ", typeArguments)}>";
        }
        public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;
        public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetPinnedType(string elementType) => elementType;
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind)
            => reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }
}
