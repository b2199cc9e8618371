using System.Reflection;
using System.Reflection.Emit;
using Analytics.Storage;

namespace Analytics.Tests.Architecture;

/// <summary>
/// The namespaces of Analytics.Core depend on each other in one direction only. The root namespace <c>Analytics</c>
/// (the host's contract: options, tracker, queries and their results) and the composition that registers every feature
/// are the base everything builds on, so edges to the root are not counted; every other edge is read from the compiled
/// assembly (signatures, fields and the types each method body touches), so a fully qualified name cannot hide one.
/// </summary>
public sealed class NamespaceDependencyTests
{
    private static readonly Assembly Core = typeof(IAnalyticsStore).Assembly;

    [Fact]
    public void NoTwoNamespacesBelowTheRootDependOnEachOther()
    {
        var graph = Dependencies();
        var cycles = new List<string>();
        foreach (var (from, targets) in graph)
        {
            foreach (var to in targets)
            {
                if (Reaches(graph, to, from, [from]) is { } path)
                {
                    cycles.Add(string.Join(" -> ", new[] { from }.Concat(path)));
                }
            }
        }

        Assert.True(cycles.Count == 0, "Namespace cycles in Analytics.Core:\n" + string.Join("\n", cycles.Distinct()));
    }

    [Fact]
    public void StorageDependsOnNoFeature()
    {
        var graph = Dependencies();
        Assert.Empty(graph.GetValueOrDefault("Analytics.Storage", []));
    }

    [Fact]
    public void TheWriterKnowsNoFeature()
    {
        var graph = Dependencies();
        Assert.Subset(new HashSet<string> { "Analytics.Storage", "Analytics.Telemetry" }, graph.GetValueOrDefault("Analytics.Pipeline", []));
    }

    [Fact]
    public void TheCheckSeesAnEdgeThatOnlyAMethodBodyMakes()
    {
        // Pipeline's BatchMeter calls into Telemetry only inside method bodies and its constructor; the edge must show.
        Assert.Contains("Analytics.Telemetry", Dependencies()["Analytics.Pipeline"]);
    }

    private static List<string>? Reaches(Dictionary<string, HashSet<string>> graph, string from, string target, HashSet<string> seen)
    {
        if (from == target)
        {
            return [from];
        }

        if (!seen.Add(from))
        {
            return null;
        }

        foreach (var next in graph.GetValueOrDefault(from, []))
        {
            if (Reaches(graph, next, target, seen) is { } path)
            {
                return [from, .. path];
            }
        }

        return null;
    }

    private static Dictionary<string, HashSet<string>> Dependencies()
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var type in Core.GetTypes())
        {
            var from = Namespace(type);
            if (from is null || from == "Analytics")
            {
                continue;
            }

            var edges = graph.TryGetValue(from, out var set) ? set : graph[from] = [];
            foreach (var used in Referenced(type))
            {
                if (Namespace(used) is { } to && to != from && to != "Analytics" && to.StartsWith("Analytics.", StringComparison.Ordinal))
                {
                    edges.Add(to);
                }
            }
        }

        return graph;
    }

    /// <summary>The namespace a type counts in: a nested or compiler-made type counts in its outermost type's.</summary>
    private static string? Namespace(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type.Assembly == Core ? type.Namespace : null;
    }

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static IEnumerable<Type> Referenced(Type type)
    {
        var found = new List<Type>();
        void Add(Type? t)
        {
            if (t is null)
            {
                return;
            }

            if (t.HasElementType)
            {
                Add(t.GetElementType());
                return;
            }

            found.Add(t);
            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                foreach (var argument in t.GetGenericArguments())
                {
                    Add(argument);
                }
            }
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces())
        {
            Add(i);
        }

        foreach (var field in type.GetFields(All))
        {
            Add(field.FieldType);
        }

        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (method is MethodInfo info)
            {
                Add(info.ReturnType);
            }

            foreach (var parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
            }

            foreach (var used in BodyReferences(method))
            {
                Add(used);
            }
        }

        return found;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The types a method body names: the declaring types of what it calls, reads and creates, and the types it tests or converts to.</summary>
    private static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var module = method.Module;
        var typeArguments = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var code = OpCodesByValue[value];
            var size = code.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, i)),
                _ => 4,
            };
            if (code.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                var token = BitConverter.ToInt32(il, i);
                MemberInfo? member = null;
                try
                {
                    member = module.ResolveMember(token, typeArguments, methodArguments);
                }
                catch (ArgumentException)
                {
                    // A token of a generic context this method does not supply; its open form is counted elsewhere.
                }

                if (member is Type used)
                {
                    yield return used;
                }
                else if (member?.DeclaringType is { } declaring)
                {
                    yield return declaring;
                    if (member is FieldInfo field)
                    {
                        yield return field.FieldType;
                    }
                }
            }

            i += size;
        }
    }
}
