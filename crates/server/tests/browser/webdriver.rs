//! A small WebDriver client for headless Chromium (Debian's `chromium` and `chromium-driver`):
//! enough to open pages, fill forms, click, read text, run a script and take screenshots. It
//! speaks the W3C WebDriver protocol to a `chromedriver` this test process starts.

use base64::Engine;
use serde_json::{json, Value};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// At most this many browsers at once (the machine has two cores).
static BROWSERS: Semaphore = Semaphore::const_new(2);

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A headless Chromium session; closed (and its driver stopped) on drop.
pub struct Browser {
    http: reqwest::Client,
    session_url: String,
    driver: Child,
    _profile: tempfile::TempDir,
    _permit: Option<SemaphorePermit<'static>>,
}

/// A found element.
pub struct Element<'a> {
    browser: &'a Browser,
    id: String,
}

fn binary(name: &str, fallbacks: &[&str]) -> String {
    std::env::var(name.to_ascii_uppercase().replace('-', "_"))
        .ok()
        .or_else(|| fallbacks.iter().find(|p| std::path::Path::new(p).exists()).map(|p| p.to_string()))
        .unwrap_or_else(|| {
            panic!("{name} is not installed: run `apt-get install chromium chromium-driver` (.ci/run does)")
        })
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a phone-sized window.
    pub async fn start() -> Browser {
        Browser::start_sized(412, 915).await
    }

    /// Starts chromedriver and a headless Chromium with a window of this size, asking for
    /// Ukrainian pages (`Accept-Language: uk`), as a phone set to Ukrainian does.
    pub async fn start_sized(width: u32, height: u32) -> Browser {
        Browser::start_with(width, height, "uk-UA,uk").await
    }

    /// Starts chromedriver and a headless Chromium with this window and `Accept-Language`.
    pub async fn start_with(width: u32, height: u32, languages: &str) -> Browser {
        let permit = BROWSERS.acquire().await.expect("the semaphore is never closed");
        Browser::launch(width, height, languages, Some(permit)).await
    }

    /// Two Ukrainian browsers at once (two phones at one table), sized `(width, height)` each.
    /// Both places are taken together: two tests taking one each and waiting for a second would
    /// wait for ever.
    pub async fn start_two(first: (u32, u32), second: (u32, u32)) -> (Browser, Browser) {
        let both = BROWSERS.acquire_many(2).await.expect("the semaphore is never closed");
        let a = Browser::launch(first.0, first.1, "uk-UA,uk", Some(both)).await;
        let b = Browser::launch(second.0, second.1, "uk-UA,uk", None).await;
        (a, b)
    }

    async fn launch(width: u32, height: u32, languages: &str, permit: Option<SemaphorePermit<'static>>) -> Browser {
        let driver_path = binary("chromedriver", &["/usr/bin/chromedriver"]);
        let chromium = binary("chromium", &["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // Its own process group, so the browser it starts can be stopped with it.
        let driver = Command::new(driver_path)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.path().display()),
                    format!("--window-size={width},{height}"),
                    format!("--lang={}", languages.split(',').next().unwrap_or("uk"))
                ],
                "prefs": { "intl.accept_languages": languages }
            }
        }}});
        let mut session = None;
        for _ in 0..100 {
            if let Ok(response) = http.post(format!("{base}/session")).json(&capabilities).send().await {
                let body: Value = response.json().await.unwrap();
                session = Some(
                    body["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {body}")).to_string(),
                );
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let session = session.expect("chromedriver answers within 10 s");
        let browser = Browser {
            http,
            session_url: format!("{base}/session/{session}"),
            driver,
            _profile: profile,
            _permit: permit,
        };
        // Chromium keeps its windows at least 500 px wide: the page's viewport is set exactly.
        browser.resize(width, height).await;
        browser
    }

    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{}", self.session_url, path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request.send().await.expect("chromedriver answers").json().await.expect("JSON");
        answer["value"].clone()
    }

    /// Opens a URL and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", Some(json!({ "url": url }))).await;
    }

    /// Goes back one page, as the browser's Back button does.
    pub async fn back(&self) {
        self.command(reqwest::Method::POST, "/back", Some(json!({}))).await;
    }

    /// Reloads the page.
    pub async fn refresh(&self) {
        self.command(reqwest::Method::POST, "/refresh", Some(json!({}))).await;
    }

    /// Sets the page's viewport to `width` × `height` CSS pixels, as a phone of that size (a
    /// touch screen, the page's `viewport` meta applied) below 800 px, a desktop above.
    pub async fn resize(&self, width: u32, height: u32) {
        let metrics = json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 800});
        let body = json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": metrics});
        self.command(reqwest::Method::POST, "/goog/cdp/execute", Some(body)).await;
    }

    /// The current URL.
    pub async fn url(&self) -> String {
        self.command(reqwest::Method::GET, "/url", None).await.as_str().unwrap_or_default().to_string()
    }

    /// Finds an element by CSS selector, waiting up to 10 s for it to appear.
    pub async fn find(&self, css: &str) -> Element<'_> {
        for _ in 0..100 {
            if let Some(element) = self.try_find(css).await {
                return element;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let text = self.body_text().await;
        panic!("no element `{css}` on {} within 10 s; the page says:\n{text}", self.url().await)
    }

    /// Finds an element now, if it is there.
    pub async fn try_find(&self, css: &str) -> Option<Element<'_>> {
        let found =
            self.command(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await;
        found[ELEMENT_KEY].as_str().map(|id| Element { browser: self, id: id.to_string() })
    }

    /// Every element matching a CSS selector.
    pub async fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        let found = self
            .command(reqwest::Method::POST, "/elements", Some(json!({"using": "css selector", "value": css})))
            .await;
        found
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|e| e[ELEMENT_KEY].as_str())
                    .map(|id| Element { browser: self, id: id.to_string() })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits until the page text contains `needle` (10 s at most); returns the text.
    pub async fn wait_for_text(&self, needle: &str) -> String {
        let mut text = String::new();
        for _ in 0..100 {
            text = self.body_text().await;
            if text.contains(needle) {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("`{needle}` never appeared on {}; the page says:\n{text}", self.url().await)
    }

    /// The visible text of the page.
    pub async fn body_text(&self) -> String {
        match self.try_find("body").await {
            Some(body) => body.text().await,
            None => String::new(),
        }
    }

    /// Runs a script and returns its result.
    pub async fn run(&self, script: &str) -> Value {
        self.command(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": []}))).await
    }

    /// A PNG screenshot of the viewport.
    pub async fn screenshot_png(&self) -> Vec<u8> {
        let encoded = self.command(reqwest::Method::GET, "/screenshot", None).await;
        base64::engine::general_purpose::STANDARD.decode(encoded.as_str().unwrap_or_default()).expect("base64 PNG")
    }

    /// Saves a screenshot as `target/screenshots/<name>.png` (kept as a CI artifact).
    pub async fn save_screenshot(&self, name: &str) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), self.screenshot_png().await).unwrap();
    }
}

impl Drop for Browser {
    /// Stops the driver's whole process group: killing chromedriver alone leaves Chromium
    /// (and its renderers) running, and they pile up run after run.
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Element<'_> {
    fn path(&self, tail: &str) -> String {
        format!("/element/{}{}", self.id, tail)
    }

    /// Clicks it.
    pub async fn click(&self) {
        self.browser.command(reqwest::Method::POST, &self.path("/click"), Some(json!({}))).await;
    }

    /// Types into it (after clearing it).
    pub async fn type_text(&self, text: &str) {
        self.browser.command(reqwest::Method::POST, &self.path("/clear"), Some(json!({}))).await;
        self.browser.command(reqwest::Method::POST, &self.path("/value"), Some(json!({ "text": text }))).await;
    }

    /// Its visible text.
    pub async fn text(&self) -> String {
        self.browser
            .command(reqwest::Method::GET, &self.path("/text"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// An attribute.
    pub async fn attribute(&self, name: &str) -> Option<String> {
        self.browser
            .command(reqwest::Method::GET, &self.path(&format!("/attribute/{name}")), None)
            .await
            .as_str()
            .map(String::from)
    }
}
