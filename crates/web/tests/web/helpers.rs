//! Helpers more than one test module needs, on top of `baken_web::testing`.

use axum::body::Body;
use axum::http::Request;
use baken_web::testing::{TestApp, TestResponse};
use tower::ServiceExt;

/// Sends a request built by the test (a JSON body, a multipart upload) through
/// the whole app and reads the response completely.
pub async fn respond(app: &TestApp, req: Request<Body>) -> TestResponse {
    let res = app.router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    TestResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A form kept as owned pairs, as `TestApp::post_form` takes it.
pub fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}
