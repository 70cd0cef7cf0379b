// The control page as a person uses it, in a real headless Chromium:
// the page loads, requests sent to the scenario's server appear live with
// their method, path and status, one opens in full (headers, the JSON body
// pretty-printed, the near-miss explanation of an unmatched one), the
// filter narrows the table, the expectations show their verdicts, the
// clear button empties the journal. A screenshot is left for a person.
//
//   node control_page_browser_test.mjs MOCKSERVE SCENARIO SCREENSHOT
//
// Needs Debian's chromium and puppeteer-core (ci/setup installs it outside
// the tree, in MOCKSERVE_TEST_TOOLS). Without them it says so and is
// skipped (exit 77), unless MOCKSERVE_REQUIRE_BROWSER=1 (CI), where that
// is a failure.

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import path from "node:path";
import os from "node:os";

const [mockserve, scenario, screenshot] = process.argv.slice(2);
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
const tools = process.env.MOCKSERVE_TEST_TOOLS || path.join(os.homedir(), ".cache", "mockserve-test-tools");
const required = process.env.MOCKSERVE_REQUIRE_BROWSER === "1";

function unavailable(why) {
  console.log("control page browser test: " + why + " (bash ci/setup installs it)");
  process.exit(required ? 1 : 77);
}

if (!existsSync(chromium)) unavailable("no Chromium at " + chromium);
let puppeteer;
try {
  puppeteer = createRequire(path.join(tools, "package.json"))("puppeteer-core");
} catch (error) {
  unavailable("no puppeteer-core in " + tools);
}

function check(condition, what) {
  if (!condition) throw new Error("FAILED: " + what);
  console.log("ok: " + what);
}

// Starts mockserve on the scenario with a control port; resolves with the
// URLs it prints before "ready".
function startMockserve() {
  const child = spawn(mockserve, [scenario, "--control", "0", "--quiet"], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.on("exit", (code) => reject(new Error("mockserve exited with " + code + " before ready:\n" + out)));
    child.stdout.on("data", (data) => {
      out += data;
      if (!/^ready$/m.test(out)) return;
      const urls = Object.fromEntries(out.trim().split("\n").filter((l) => l.includes(" ")).map((l) => l.split(" ")));
      resolve({ child, urls });
    });
  });
}

const { child, urls } = await startMockserve();
const control = urls.control;
const api = urls.users;
let browser;
try {
  browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1366, height: 800 });
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(control + "/", { waitUntil: "load" });
  await page.waitForFunction(() => document.getElementById("connection").textContent === "live", { timeout: 10000 });
  check(true, "the page loads and follows /events");
  const servers = await page.$eval("#servers", (list) => list.textContent);
  check(servers.includes("users") && servers.includes(api), "the servers are listed with their URLs");

  // Three requests: a listing, a JSON creation, one no route matches.
  await fetch(api + "/users");
  await fetch(api + "/users", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer t" },
    body: JSON.stringify({ name: "Linus" }),
  });
  await fetch(api + "/nowhere");
  await page.waitForFunction(() => document.querySelectorAll("#journal tbody tr").length === 3, { timeout: 10000 });
  const rows = await page.$$eval("#journal tbody tr", (trs) =>
    trs.map((tr) => ({
      method: tr.querySelector(".method").textContent,
      path: tr.querySelector(".path").textContent,
      status: tr.querySelector(".status").textContent,
      route: tr.querySelector(".route").textContent,
      unmatched: tr.classList.contains("unmatched"),
    })));
  // Newest first.
  check(rows[2].method === "GET" && rows[2].path === "/users" && rows[2].status === "200" && rows[2].route === "list",
        "GET /users appears live: 200, route list");
  check(rows[1].method === "POST" && rows[1].path === "/users" && rows[1].status === "201" && rows[1].route === "create",
        "POST /users appears live: 201, route create");
  check(rows[0].path === "/nowhere" && rows[0].status === "404" && rows[0].unmatched && rows[0].route === "unmatched",
        "GET /nowhere appears highlighted as unmatched, 404");

  // The verdicts follow the journal: created-once turns ok once the POST is in.
  await page.waitForFunction(() => {
    const verdicts = [...document.querySelectorAll("#expectations .verdict")].map((s) => s.textContent);
    return verdicts.length === 2 && verdicts.every((v) => v === "ok");
  }, { timeout: 10000 });
  check(true, "both expectations turn ok (green) as the requests come");

  // Open the POST: its headers and its JSON body, pretty-printed.
  await page.click("#journal tbody tr:nth-child(2)");
  await page.waitForSelector("#detail:not([hidden])");
  const headers = await page.$eval("#detail pre.headers", (pre) => pre.textContent);
  const body = await page.$eval("#detail pre.body", (pre) => pre.textContent);
  check(headers.includes("Content-Type: application/json") && headers.includes("Authorization: Bearer t"),
        "the opened request shows its headers");
  check(body === JSON.stringify({ name: "Linus" }, null, 2), "its JSON body is pretty-printed");
  await page.screenshot({ path: screenshot, fullPage: true });
  check(existsSync(screenshot), "a screenshot is saved in " + screenshot);

  // The unmatched one says why.
  await page.click("#journal tbody tr:nth-child(1)");
  const why = await page.$eval("#detail pre.explanation", (pre) => pre.textContent);
  check(why.includes("No route matched GET /nowhere"), "the unmatched request shows its near-miss explanation");

  // The filter.
  await page.type("#filter", "post");
  const visible = await page.$$eval("#journal tbody tr", (trs) => trs.filter((tr) => !tr.hidden).length);
  check(visible === 1, "filtering on 'post' leaves one row");
  await page.$eval("#filter", (input) => { input.value = ""; input.dispatchEvent(new Event("input")); });

  // A request after the filter is cleared still arrives live.
  await fetch(api + "/users/42");
  await page.waitForFunction(() => document.querySelectorAll("#journal tbody tr:not([hidden])").length === 4, { timeout: 10000 });
  check(true, "a fourth request arrives live");

  // Clear: the table empties, and so does the journal.
  await page.click("#clear");
  await page.waitForFunction(() => document.querySelectorAll("#journal tbody tr").length === 0, { timeout: 10000 });
  const journal = await (await fetch(control + "/requests")).json();
  check(journal.length === 0, "the clear button empties the journal (GET /requests is [])");

  check(errors.length === 0, "no script error on the page" + (errors.length ? ": " + errors.join("; ") : ""));
} finally {
  if (browser) await browser.close();
  child.kill("SIGTERM");
}
