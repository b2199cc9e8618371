using System.Diagnostics.CodeAnalysis;

namespace Analytics.Queries;

/// <summary>A status filter: one code (<c>404</c>) or a class (<c>5xx</c>), as an inclusive range.</summary>
internal readonly record struct StatusFilter(int Min, int Max)
{
    public static bool TryParse(string? text, [NotNullWhen(true)] out StatusFilter? filter)
    {
        filter = null;
        if (text is not { Length: 3 })
        {
            return false;
        }

        if (text[1] is 'x' or 'X' && text[2] is 'x' or 'X')
        {
            if (text[0] is >= '1' and <= '5')
            {
                int hundreds = (text[0] - '0') * 100;
                filter = new StatusFilter(hundreds, hundreds + 99);
                return true;
            }

            return false;
        }

        if (text[0] is >= '1' and <= '5' && char.IsAsciiDigit(text[1]) && char.IsAsciiDigit(text[2]))
        {
            int code = ((text[0] - '0') * 100) + ((text[1] - '0') * 10) + (text[2] - '0');
            filter = new StatusFilter(code, code);
            return true;
        }

        return false;
    }
}
