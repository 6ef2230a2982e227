//! nginx in front of test nodes, configured with the very `nginx` block of `docs/deploying.md`
//! (its upstream addresses and `listen` line swapped for this machine's, its `ssl_` lines left
//! out), so the tests check the configuration operators copy. Needs nginx (Debian's
//! `nginx-light`; `.ci/run` installs it when missing).

use std::path::Path;
use std::process::{Child, Command, Stdio};

/// nginx in the foreground with its files in a temporary directory; stopped when dropped.
pub struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `nginx` block of the deployment guide.
pub fn documented_config() -> String {
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/deploying.md")).unwrap();
    let start = guide.find("```nginx\n").expect("docs/deploying.md has an nginx block") + "```nginx\n".len();
    guide[start..][..guide[start..].find("```").unwrap()].to_string()
}

/// The guide's config for this machine: the nodes as the upstream, plain HTTP on `port`.
pub fn config_for(nodes: &[u16], port: u16, dir: &Path) -> String {
    let mut servers = nodes.iter();
    let mut server_block = String::new();
    for line in documented_config().lines() {
        let line = if line.trim_start().starts_with("server 10.0.0.") {
            let node = servers.next().expect("as many nodes as the guide's upstream lists");
            let rest = line.trim_start().trim_start_matches("server ").split_once(' ').unwrap().1;
            format!("    server 127.0.0.1:{node} {rest}")
        } else if line.trim() == "listen 443 ssl;" {
            format!("    listen 127.0.0.1:{port};")
        } else if line.trim_start().starts_with("ssl_") {
            // No TLS here: the certificate lines go with the `ssl` listener.
            continue;
        } else {
            line.to_string()
        };
        server_block.push_str(&line);
        server_block.push('\n');
    }
    assert!(servers.next().is_none(), "the guide's upstream lists every node");
    let dir = dir.display();
    format!(
        "pid {dir}/nginx.pid;\nerror_log {dir}/error.log warn;\nevents {{}}\nhttp {{\n\
         access_log off;\nclient_body_temp_path {dir}/body;\nproxy_temp_path {dir}/proxy;\n\
         {server_block}}}\n"
    )
}

pub fn start_nginx(config: &str, dir: &Path) -> Nginx {
    let file = dir.join("nginx.conf");
    std::fs::write(&file, config).unwrap();
    let nginx =
        ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().find(|p| Path::new(p).exists()).unwrap_or_else(|| {
            panic!("this test needs nginx: apt-get install nginx-light (.ci/run does)");
        });
    let child = Command::new(nginx)
        .args(["-p", &dir.display().to_string(), "-c", &file.display().to_string(), "-g", "daemon off;"])
        .stdout(Stdio::null())
        .spawn()
        .expect("nginx starts");
    Nginx(child)
}
