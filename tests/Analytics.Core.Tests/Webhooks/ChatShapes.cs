using System.Text.Json;

namespace Analytics.Tests.Webhooks;

/// <summary>
/// The shapes Slack, Teams and Discord document for what their incoming webhooks accept, checked field by field:
/// required members and their types, and the size limits each service enforces (it answers 400 past them). Returns
/// what is wrong; empty when the body would be accepted.
/// </summary>
internal static class ChatShapes
{
    public static List<string> Check(WebhookFormat format, byte[] body)
    {
        var problems = new List<string>();
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException ex)
        {
            return [$"not JSON: {ex.Message}"];
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return ["the body is not an object"];
        }

        switch (format)
        {
            case WebhookFormat.Slack:
                Slack(root, problems);
                break;
            case WebhookFormat.Teams:
                Teams(root, problems);
                break;
            case WebhookFormat.Discord:
                Discord(root, problems);
                break;
            default:
                problems.Add($"no shape for {format}");
                break;
        }

        return problems;
    }

    // https://api.slack.com/messaging/webhooks, https://api.slack.com/reference/block-kit/blocks
    private static void Slack(JsonElement root, List<string> problems)
    {
        String(root, "text", 1, 40_000, problems, "text");
        if (!Array(root, "blocks", 1, 50, problems, "blocks", out var blocks))
        {
            return;
        }

        var i = 0;
        foreach (var block in blocks)
        {
            var path = $"blocks[{i++}]";
            switch (block.TryGetProperty("type", out var type) ? type.GetString() : null)
            {
                case "section":
                    var hasText = block.TryGetProperty("text", out var text);
                    var hasFields = block.TryGetProperty("fields", out _);
                    if (!hasText && !hasFields)
                    {
                        problems.Add($"{path}: a section needs text or fields");
                    }

                    if (hasText)
                    {
                        SlackText(text, 3_000, problems, path + ".text");
                    }

                    if (hasFields && Array(block, "fields", 1, 10, problems, path + ".fields", out var fields))
                    {
                        var f = 0;
                        foreach (var field in fields)
                        {
                            SlackText(field, 2_000, problems, $"{path}.fields[{f++}]");
                        }
                    }

                    break;
                case "header":
                    if (block.TryGetProperty("text", out var header))
                    {
                        Equal(header, "type", "plain_text", problems, path + ".text");
                        String(header, "text", 1, 150, problems, path + ".text.text");
                    }
                    else
                    {
                        problems.Add($"{path}: a header needs text");
                    }

                    break;
                case "context":
                    if (Array(block, "elements", 1, 10, problems, path + ".elements", out var elements))
                    {
                        var e = 0;
                        foreach (var element in elements)
                        {
                            SlackText(element, 3_000, problems, $"{path}.elements[{e++}]");
                        }
                    }

                    break;
                case "actions":
                    if (Array(block, "elements", 1, 25, problems, path + ".elements", out var buttons))
                    {
                        var b = 0;
                        foreach (var button in buttons)
                        {
                            var at = $"{path}.elements[{b++}]";
                            Equal(button, "type", "button", problems, at);
                            if (button.TryGetProperty("text", out var label))
                            {
                                Equal(label, "type", "plain_text", problems, at + ".text");
                                String(label, "text", 1, 75, problems, at + ".text.text");
                            }
                            else
                            {
                                problems.Add($"{at}: a button needs text");
                            }

                            AbsoluteUrl(button, "url", 3_000, required: true, problems, at);
                        }
                    }

                    break;
                default:
                    problems.Add($"{path}: unexpected block type");
                    break;
            }
        }
    }

    private static void SlackText(JsonElement text, int max, List<string> problems, string path)
    {
        if (text.ValueKind != JsonValueKind.Object || !text.TryGetProperty("type", out var type)
            || type.GetString() is not ("mrkdwn" or "plain_text"))
        {
            problems.Add($"{path}: a text object needs type mrkdwn or plain_text");
            return;
        }

        String(text, "text", 1, max, problems, path + ".text");
    }

    // https://learn.microsoft.com/connectors/teams/#microsoft-teams-webhook, https://adaptivecards.io/explorer/
    private static void Teams(JsonElement root, List<string> problems)
    {
        Equal(root, "type", "message", problems, "");
        if (!Array(root, "attachments", 1, 1, problems, "attachments", out var attachments))
        {
            return;
        }

        var attachment = attachments[0];
        Equal(attachment, "contentType", "application/vnd.microsoft.card.adaptive", problems, "attachments[0]");
        if (!attachment.TryGetProperty("content", out var card) || card.ValueKind != JsonValueKind.Object)
        {
            problems.Add("attachments[0].content: the card is missing");
            return;
        }

        Equal(card, "$schema", "http://adaptivecards.io/schemas/adaptive-card.json", problems, "card");
        Equal(card, "type", "AdaptiveCard", problems, "card");
        Equal(card, "version", "1.4", problems, "card");
        if (Array(card, "body", 1, 100, problems, "card.body", out var body))
        {
            var i = 0;
            foreach (var element in body)
            {
                var path = $"card.body[{i++}]";
                switch (element.TryGetProperty("type", out var type) ? type.GetString() : null)
                {
                    case "TextBlock":
                        String(element, "text", 1, 10_000, problems, path + ".text");
                        break;
                    case "FactSet":
                        if (Array(element, "facts", 1, 100, problems, path + ".facts", out var facts))
                        {
                            var f = 0;
                            foreach (var fact in facts)
                            {
                                String(fact, "title", 1, 1_000, problems, $"{path}.facts[{f}].title");
                                String(fact, "value", 1, 10_000, problems, $"{path}.facts[{f++}].value");
                            }
                        }

                        break;
                    default:
                        problems.Add($"{path}: unexpected element type");
                        break;
                }
            }
        }

        if (card.TryGetProperty("actions", out _) && Array(card, "actions", 0, 10, problems, "card.actions", out var actions))
        {
            var a = 0;
            foreach (var action in actions)
            {
                var path = $"card.actions[{a++}]";
                Equal(action, "type", "Action.OpenUrl", problems, path);
                String(action, "title", 1, 200, problems, path + ".title");
                AbsoluteUrl(action, "url", 10_000, required: true, problems, path);
            }
        }
    }

    // https://discord.com/developers/docs/resources/webhook#execute-webhook, .../message#embed-object-embed-limits
    private static void Discord(JsonElement root, List<string> problems)
    {
        String(root, "content", 1, 2_000, problems, "content");
        if (!Array(root, "embeds", 1, 10, problems, "embeds", out var embeds))
        {
            return;
        }

        var i = 0;
        foreach (var embed in embeds)
        {
            var path = $"embeds[{i++}]";
            var total = String(embed, "title", 1, 256, problems, path + ".title") + String(embed, "description", 1, 4_096, problems, path + ".description");
            AbsoluteUrl(embed, "url", 2_048, required: false, problems, path);
            if (!embed.TryGetProperty("color", out var color) || !color.TryGetInt32(out var rgb) || rgb is < 0 or > 0xFFFFFF)
            {
                problems.Add($"{path}.color: an integer 0xRRGGBB is required");
            }

            if (!embed.TryGetProperty("timestamp", out var timestamp) || timestamp.ValueKind != JsonValueKind.String
                || !timestamp.TryGetDateTimeOffset(out _))
            {
                problems.Add($"{path}.timestamp: an ISO-8601 time is required");
            }

            if (Array(embed, "fields", 0, 25, problems, path + ".fields", out var fields))
            {
                var f = 0;
                foreach (var field in fields)
                {
                    total += String(field, "name", 1, 256, problems, $"{path}.fields[{f}].name");
                    total += String(field, "value", 1, 1_024, problems, $"{path}.fields[{f++}].value");
                    if (field.TryGetProperty("inline", out var inline) && inline.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        problems.Add($"{path}.fields[{f - 1}].inline: a boolean is required");
                    }
                }
            }

            if (embed.TryGetProperty("footer", out var footer))
            {
                total += String(footer, "text", 1, 2_048, problems, path + ".footer.text");
            }

            if (total > 6_000)
            {
                problems.Add($"{path}: {total} characters in all, over Discord's 6000");
            }
        }
    }

    /// <summary>Checks a required string's length (in UTF-16 units, as the services count); returns the length.</summary>
    private static int String(JsonElement parent, string name, int min, int max, List<string> problems, string path)
    {
        if (parent.ValueKind != JsonValueKind.Object || !parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            problems.Add($"{path}: a string is required");
            return 0;
        }

        var length = value.GetString()!.Length;
        if (length < min || length > max)
        {
            problems.Add($"{path}: {length} characters, not within {min} to {max}");
        }

        return length;
    }

    private static bool Array(JsonElement parent, string name, int min, int max, List<string> problems, string path, out JsonElement[] items)
    {
        items = [];
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Array)
        {
            problems.Add($"{path}: an array is required");
            return false;
        }

        items = [.. value.EnumerateArray()];
        if (items.Length < min || items.Length > max)
        {
            problems.Add($"{path}: {items.Length} items, not within {min} to {max}");
        }

        return true;
    }

    private static void Equal(JsonElement parent, string name, string expected, List<string> problems, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || value.GetString() != expected)
        {
            problems.Add($"{path}.{name}: must be '{expected}'");
        }
    }

    private static void AbsoluteUrl(JsonElement parent, string name, int max, bool required, List<string> problems, string path)
    {
        if (!parent.TryGetProperty(name, out var value))
        {
            if (required)
            {
                problems.Add($"{path}.{name}: a URL is required");
            }

            return;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString()!.Length > max
            || !Uri.TryCreate(value.GetString(), UriKind.Absolute, out var url) || (url.Scheme != "https" && url.Scheme != "http"))
        {
            problems.Add($"{path}.{name}: an absolute http(s) URL of at most {max} characters is required");
        }
    }
}
