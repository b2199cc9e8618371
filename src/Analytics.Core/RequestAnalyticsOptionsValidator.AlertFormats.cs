using Microsoft.Extensions.Options;

namespace Analytics;

// Where alerts are read (issue 25): the dashboard URL chat messages link to. Subscription formats are checked with the
// rest of each subscription, in ValidateWebhooks.
internal sealed partial class RequestAnalyticsOptionsValidator
{
    static partial void ValidateAlertFormats(ValidateOptionsResultBuilder builder, RequestAnalyticsOptions options, string prefix)
    {
        if (options.DashboardUrl is not { } url)
        {
            return;
        }

        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            builder.AddError(
                $"must be an absolute http or https URL, such as https://api.example.com/analytics; it is '{url.OriginalString}'.",
                prefix + nameof(options.DashboardUrl));
        }
        else if (url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            builder.AddError(
                $"must have no query or fragment: the links add the dashboard's own query; it is '{url.OriginalString}'.",
                prefix + nameof(options.DashboardUrl));
        }
    }
}
