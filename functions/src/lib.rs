//! Varco's functions: the route table (`routes`, one line per step), the handlers by flow
//! (`handlers/`), the HTTP glue (`http`), and the three ways they run: the Lambda binary
//! (`src/bin/varco-lambda.rs`, one function at a time), the local gateway (`cargo run`),
//! and the black-box tests.

pub mod app;
pub mod catalog;
pub mod config;
pub mod console;
pub mod demo;
pub mod events;
pub mod gateway;
pub mod handlers;
pub mod http;
pub mod lambda;
pub mod local;
pub mod logging;
pub mod openapi;
pub mod pages;
pub mod routes;
pub mod secrets;

pub use routes::Step;
