//! Varco's functions: the route table (`routes`), the HTTP glue, the handlers by flow
//! (`handlers/`), and the three
//! ways they run: one Lambda binary per step (`src/bin/`), the local gateway (`cargo run`),
//! and the black-box tests.

pub mod app;
pub mod config;
pub mod console;
pub mod demo;
pub mod gateway;
pub mod handlers;
pub mod http;
pub mod lambda;
pub mod local;
pub mod logging;
pub mod openapi;
pub mod routes;

pub use routes::Step;
