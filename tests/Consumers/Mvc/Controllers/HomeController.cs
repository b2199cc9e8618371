using Microsoft.AspNetCore.Mvc;

namespace Mvc.Controllers;

public sealed class HomeController : Controller
{
    public IActionResult Index() => Content("home");

    public IActionResult Details(int id) => Content($"details {id}");

    public IActionResult Privacy() => Content("privacy");
}
