//! A TCP link between Varco and DynamoDB Local that a test can cut or pause: a dependency
//! that refuses connections (a stopped service) or accepts and never answers (a hung one,
//! a network partition), as a Lambda function would meet it, and back again.

use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Up,
    /// Connections are accepted and held, and nothing is forwarded either way.
    Paused,
    /// Nothing listens: connections are refused; open ones are closed.
    Down,
}

pub struct FaultyLink {
    address: SocketAddr,
    state: watch::Sender<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultyLink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultyLink {
    /// A link, up, to the `http://host:port` endpoint `to`.
    pub async fn to(to: &str) -> FaultyLink {
        let target = to
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (state, watching) = watch::channel(State::Up);
        let task = tokio::spawn(run(listener, address, target, watching));
        FaultyLink {
            address,
            state,
            task,
        }
    }

    /// The endpoint to give the client in place of the target's.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The service stops: connections are refused, open ones closed.
    pub fn stop(&self) {
        self.state.send_replace(State::Down);
    }

    /// The service hangs: connections open, and no byte gets through.
    pub fn pause(&self) {
        self.state.send_replace(State::Paused);
    }

    /// The service is back.
    pub fn restore(&self) {
        self.state.send_replace(State::Up);
    }
}

async fn run(
    listener: TcpListener,
    address: SocketAddr,
    target: String,
    mut state: watch::Receiver<State>,
) {
    let mut listener = Some(listener);
    loop {
        let now = *state.borrow_and_update();
        if now == State::Down {
            listener = None;
            if state.changed().await.is_err() {
                return;
            }
            continue;
        }
        let bound = match &listener {
            Some(bound) => bound,
            None => listener.insert(TcpListener::bind(address).await.expect("binding again")),
        };
        tokio::select! {
            accepted = bound.accept() => {
                if let Ok((client, _)) = accepted {
                    tokio::spawn(carry(client, target.clone(), state.clone()));
                }
            }
            changed = state.changed() => if changed.is_err() { return },
        }
    }
}

/// Carries one connection while the link is up; holds it, forwarding nothing, while it is
/// paused; closes it when the link changes.
async fn carry(mut client: TcpStream, target: String, mut state: watch::Receiver<State>) {
    let now = *state.borrow_and_update();
    if now == State::Up {
        let Ok(mut service) = TcpStream::connect(&target).await else {
            return;
        };
        tokio::select! {
            _ = tokio::io::copy_bidirectional(&mut client, &mut service) => return,
            _ = state.changed() => {}
        }
    }
    if *state.borrow_and_update() == State::Paused {
        let _ = state.changed().await;
    }
}
