using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Analytics.Storage;

namespace Analytics.AspNetCore.Tests;

/// <summary>
/// Pins the public surface of each package to an approved text file, so any change to it shows up as a diff in review.
/// On a mismatch the test writes <c>*.received.txt</c> beside the approved file; copy it over once the change is intended.
/// </summary>
public class PublicApiTests
{
    [Theory]
    [InlineData("Analytics.Core", typeof(IAnalyticsStore))]
    [InlineData("Analytics.Sqlite", typeof(Microsoft.Extensions.DependencyInjection.SqliteRequestAnalyticsBuilderExtensions))]
    [InlineData("Analytics.AspNetCore", typeof(Microsoft.Extensions.DependencyInjection.RequestAnalyticsServiceCollectionExtensions))]
    [InlineData("Analytics.PostgreSql", typeof(Microsoft.Extensions.DependencyInjection.PostgreSqlRequestAnalyticsBuilderExtensions))]
    public void ThePublicApiMatchesTheApprovedFile(string assemblyName, Type anyType)
    {
        var assembly = anyType.Assembly;
        Assert.Equal(assemblyName, assembly.GetName().Name);
        Approvals.Verify(Path.Combine("PublicApi", assemblyName), Describe(assembly), $"The public API of {assemblyName}");
    }

    internal static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append(DescribeType(type)).Append('\n');
            var members = type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m is not MethodInfo { IsSpecialName: true } and not FieldInfo { IsSpecialName: true } && !m.Name.Contains('<') && m is not Type)
                .Select(DescribeMember)
                .OrderBy(m => m, StringComparer.Ordinal);
            foreach (var member in members)
            {
                text.Append("  ").Append(member).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string DescribeType(Type type)
    {
        var kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" : type.IsAbstract && type.IsSealed ? "static class" : type.IsSealed ? "sealed class" : type.IsAbstract ? "abstract class" : "class";
        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum))
        {
            bases.Add(Name(baseType));
        }

        bases.AddRange(type.GetInterfaces().Select(Name).Order(StringComparer.Ordinal));
        return $"{kind} {Name(type)}{(bases.Count > 0 ? " : " + string.Join(", ", bases) : "")}";
    }

    private static string DescribeMember(MemberInfo member) => member switch
    {
        ConstructorInfo c => $"ctor({Parameters(c.GetParameters())})",
        MethodInfo m => $"{(m.IsStatic ? "static " : "")}{Name(m.ReturnType)} {m.Name}{(m.IsGenericMethod ? "<" + string.Join(", ", m.GetGenericArguments().Select(Name)) + ">" : "")}({Parameters(m.GetParameters())})",
        PropertyInfo p => $"{Name(p.PropertyType)} {p.Name} {{ {Accessors(p)}}}",
        FieldInfo f when f.DeclaringType!.IsEnum => $"{f.Name} = {f.GetRawConstantValue()}",
        FieldInfo f => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{(f.IsInitOnly ? "readonly " : "")}{Name(f.FieldType)} {f.Name}{(f.IsLiteral ? " = " + f.GetRawConstantValue() : "")}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        _ => member.ToString()!,
    };

    private static string Accessors(PropertyInfo property)
    {
        var text = property.GetMethod is { IsPublic: true } ? "get; " : "";
        if (property.SetMethod is { IsPublic: true } setter)
        {
            text += setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)) ? "init; " : "set; ";
        }

        return text;
    }

    private static string Parameters(ParameterInfo[] parameters) => string.Join(", ", parameters.Select(p =>
        $"{(p.Member is MethodInfo m && m.IsDefined(typeof(ExtensionAttribute)) && p.Position == 0 ? "this " : "")}{(p.IsOut ? "out " : "")}{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")}"));

    private static string Name(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        if (type.IsByRef)
        {
            return Name(type.GetElementType()!) + "&";
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        var name = type.IsGenericType ? type.Name[..type.Name.IndexOf('`')] : type.Name;
        var full = (type.Namespace is { } ns ? ns + "." : "") + (type.IsNested ? type.DeclaringType!.Name + "." : "") + name;
        return type.IsGenericType ? $"{full}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>" : full;
    }
}
