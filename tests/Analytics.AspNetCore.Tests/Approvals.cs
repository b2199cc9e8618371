using System.Runtime.CompilerServices;

namespace Analytics.AspNetCore.Tests;

/// <summary>
/// Compares text with an approved file beside the test sources. On a mismatch it writes <c>*.received.txt</c> next to
/// the approved file and fails; rename the received file over the approved one once the change is intended. When the text
/// matches, a received file left by an earlier failure is deleted.
/// </summary>
internal static class Approvals
{
    /// <param name="relativePath">The approved file's path from the test project's folder, without <c>.approved.txt</c>.</param>
    /// <param name="actual">The text to compare.</param>
    /// <param name="what">What the text describes, for the failure message.</param>
    public static void Verify(string relativePath, string actual, string what)
    {
        var approvedPath = Path.Combine(ProjectDirectory(), relativePath + ".approved.txt");
        var receivedPath = Path.Combine(ProjectDirectory(), relativePath + ".received.txt");
        actual = actual.ReplaceLineEndings("\n");
        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : "";
        if (approved != actual)
        {
            File.WriteAllText(receivedPath, actual);
            Assert.Fail($"{what} differs from {approvedPath}. The text is in {receivedPath}: review the diff and, if the "
                + $"change is intended, accept it by renaming the received file over the approved one (mv \"{receivedPath}\" \"{approvedPath}\").");
        }

        File.Delete(receivedPath);
    }

    private static string ProjectDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
