//! The page's files, embedded in the binary: the viewer works offline and in a shipped
//! binary, with nothing to install beside it. Served as `/` (the page) and
//! `/viewer/assets/NAME`.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// Its name under `/viewer/assets/`.
    pub name: &'static str,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// Its text.
    pub body: &'static str,
}

impl Asset {
    /// The file as an HTTP answer.
    pub fn response(&self) -> Response {
        let mut response = self.body.into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        // Small files from the same binary: the browser asks again each time (a page that
        // outlives a rebuild must not run yesterday's script against today's server).
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
        response
    }
}

/// The page: the app's shell, which loads [`FILES`].
pub const INDEX: Asset =
    Asset { name: "index.html", content_type: "text/html; charset=utf-8", body: include_str!("assets/index.html") };

/// What `/` shows when requests must be signed, which a browser cannot do.
pub const SIGNED_ONLY_PAGE: Asset = Asset {
    name: "signed-only.html",
    content_type: "text/html; charset=utf-8",
    body: include_str!("assets/signed-only.html"),
};

/// The app's files under `/viewer/assets/`.
pub const FILES: &[Asset] = &[
    Asset { name: "app.css", content_type: "text/css; charset=utf-8", body: include_str!("assets/app.css") },
    Asset { name: "app.js", content_type: "text/javascript; charset=utf-8", body: include_str!("assets/app.js") },
    Asset {
        name: "history.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("assets/history.js"),
    },
    Asset { name: "table.js", content_type: "text/javascript; charset=utf-8", body: include_str!("assets/table.js") },
    Asset {
        name: "execution.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("assets/execution.js"),
    },
];

/// The file `name` under `/viewer/assets/`.
pub fn find(name: &str) -> Option<&'static Asset> {
    FILES.iter().find(|asset| asset.name == name)
}

/// The page weight: the bytes a browser loads to show the app (the page and its files,
/// uncompressed; the graph and the data come on top, from the API).
pub fn page_weight() -> usize {
    INDEX.body.len() + FILES.iter().map(|asset| asset.body.len()).sum::<usize>()
}
