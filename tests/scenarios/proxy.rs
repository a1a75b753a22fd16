//! A fault-injecting TCP proxy on loopback between devices and the server. It works below TLS,
//! so it can only do what a bad link does: refuse or drop connections, delay and throttle bytes,
//! and cut a stream mid-request (the server never sees the whole body) or mid-response (the
//! server did the work but the device never hears back, so it sends the same request again:
//! the duplicate delivery a real link produces).
use rand::Rng;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Probability of closing a new connection at once.
    pub drop: f64,
    /// One-way latency added to every chunk (half the round-trip time).
    pub latency: Duration,
    /// Bytes per second in each direction; 0 for no limit.
    pub bandwidth: u64,
    /// Probability that a connection's upstream (device → server) is cut after a random number
    /// of bytes.
    pub cut_request: f64,
    /// Probability that a connection's downstream (server → device) is cut after a random
    /// number of bytes.
    pub cut_response: f64,
}

impl Faults {
    /// A rural link: 300 ms round trip, 1 Mbit/s each way.
    pub fn rural() -> Self {
        Faults {
            latency: Duration::from_millis(150),
            bandwidth: 125_000,
            ..Default::default()
        }
    }
}

#[derive(Debug, Default)]
pub struct Stats {
    pub connections: AtomicU64,
    pub dropped: AtomicU64,
    pub cut_requests: AtomicU64,
    pub cut_responses: AtomicU64,
    pub bytes_up: AtomicU64,
    pub bytes_down: AtomicU64,
}

pub struct Proxy {
    pub addr: SocketAddr,
    faults: Arc<Mutex<Faults>>,
    pub stats: Arc<Stats>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Proxy {
    pub fn start(upstream: SocketAddr, faults: Faults) -> std::io::Result<Proxy> {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let faults = Arc::new(Mutex::new(faults));
        let stats = Arc::new(Stats::default());
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let (f, s) = (faults.clone(), stats.clone());
        let thread = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let Ok(listener) = TcpListener::from_std(std_listener) else {
                    return;
                };
                loop {
                    tokio::select! {
                        _ = &mut rx => break,
                        acc = listener.accept() => {
                            let Ok((client, _)) = acc else { continue };
                            let faults = f.lock().map(|g| g.clone()).unwrap_or_default();
                            tokio::spawn(handle(client, upstream, faults, s.clone()));
                        }
                    }
                }
            });
        });
        Ok(Proxy {
            addr,
            faults,
            stats,
            stop: Some(tx),
            thread: Some(thread),
        })
    }

    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    pub fn set_faults(&self, f: Faults) {
        if let Ok(mut g) = self.faults.lock() {
            *g = f;
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn handle(client: TcpStream, upstream: SocketAddr, faults: Faults, stats: Arc<Stats>) {
    stats.connections.fetch_add(1, Relaxed);
    let (cut_up, cut_down) = {
        let mut rng = rand::rng();
        if rng.random_bool(faults.drop.clamp(0.0, 1.0)) {
            stats.dropped.fetch_add(1, Relaxed);
            return;
        }
        let up = rng
            .random_bool(faults.cut_request.clamp(0.0, 1.0))
            .then(|| rng.random_range(50..20_000u64));
        let down = rng
            .random_bool(faults.cut_response.clamp(0.0, 1.0))
            .then(|| rng.random_range(50..20_000u64));
        (up, down)
    };
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let up = pipe(cr, sw, faults.clone(), cut_up, stats.clone(), true);
    let down = pipe(sr, cw, faults, cut_down, stats, false);
    // When either direction ends (closed or cut), the whole connection goes, as on a real link.
    tokio::select! {
        _ = up => {},
        _ = down => {},
    }
}

/// Copies one direction, delivering each chunk after the link's serialisation time and
/// latency, and stopping dead after `cut` bytes if set.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    faults: Faults,
    cut: Option<u64>,
    stats: Arc<Stats>,
    upstream: bool,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let stats_w = stats.clone();
    let reader = async move {
        let mut buf = vec![0u8; 16 * 1024];
        let mut total = 0u64;
        let mut link_free = Instant::now();
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let mut n = n as u64;
            let mut stop = false;
            if let Some(c) = cut
                && total + n >= c
            {
                n = c - total;
                stop = true;
            }
            total += n;
            let now = Instant::now();
            let start = link_free.max(now);
            let tx_time = if faults.bandwidth > 0 {
                Duration::from_secs_f64(n as f64 / faults.bandwidth as f64)
            } else {
                Duration::ZERO
            };
            link_free = start + tx_time;
            if tx
                .send((link_free + faults.latency, buf[..n as usize].to_vec()))
                .is_err()
            {
                break;
            }
            if stop {
                if upstream {
                    stats.cut_requests.fetch_add(1, Relaxed);
                } else {
                    stats.cut_responses.fetch_add(1, Relaxed);
                }
                break;
            }
        }
    };
    let writer = async move {
        while let Some((at, bytes)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&bytes).await.is_err() {
                return;
            }
            let counter = if upstream {
                &stats_w.bytes_up
            } else {
                &stats_w.bytes_down
            };
            counter.fetch_add(bytes.len() as u64, Relaxed);
        }
        let _ = to.shutdown().await;
    };
    // The writer drains what the reader queued; it ends when the reader has dropped its sender.
    tokio::join!(reader, writer);
}
