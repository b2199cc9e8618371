namespace Analytics.Tests.Architecture;

/// <summary>
/// The house style (.editorconfig) aims lines at 120 columns; no line of the libraries' C# source may pass
/// <see cref="MaxLength"/>, so one that does fails here, named by path and line, instead of waiting for a review.
/// The conformance kit (src/Analytics.Storage.Testing) is held to it too: it ships as a package like the others.
/// </summary>
public sealed class SourceLineLengthTests
{
    private const int MaxLength = 150;

    [Fact]
    public void NoSourceLineIsLongerThan150Characters()
    {
        var root = RepositoryRoot();
        var src = Path.Combine(root, "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(Path.GetRelativePath(src, path)))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(files);

        var tooLong = new List<string>();
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Length > MaxLength)
                {
                    var path = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                    tooLong.Add($"{path}:{i + 1} ({lines[i].Length})");
                }
            }
        }

        Assert.True(
            tooLong.Count == 0,
            $"{tooLong.Count} lines under src/ are longer than {MaxLength} characters:\n" + string.Join("\n", tooLong));
    }

    /// <summary>Whether a path below src/ lies in a bin/ or obj/ folder, where the build writes its own files.</summary>
    private static bool IsBuildOutput(string relativePath) =>
        relativePath.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)
            .Any(static part => part is "bin" or "obj");

    /// <summary>Finds the folder holding <c>Analytics.sln</c>, above the test's output folder.</summary>
    private static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Analytics.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, $"No folder above {AppContext.BaseDirectory} holds Analytics.sln.");
        return root.FullName;
    }
}
