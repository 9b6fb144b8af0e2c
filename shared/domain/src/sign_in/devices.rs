//! What a person's session list says of where each session was opened (M8): the browser and
//! system named from the `User-Agent` (a few words, not the header: it is not kept), and the
//! client address's network (an IPv4 /24, an IPv6 /64), never the address itself.

use std::net::IpAddr;

/// "Chrome, Android", "Safari, iOS", "Firefox, Windows"; `None` for what it cannot name.
pub fn device(user_agent: &str) -> Option<String> {
    let has = |needle: &str| user_agent.contains(needle);
    // Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari", and iOS says
    // "Mac OS X".
    let browser = if has("Edg/") || has("EdgA/") || has("EdgiOS/") {
        "Edge"
    } else if has("OPR/") {
        "Opera"
    } else if has("Firefox/") || has("FxiOS/") {
        "Firefox"
    } else if has("Chrome/") || has("CriOS/") || has("Chromium/") {
        "Chrome"
    } else if has("Safari/") {
        "Safari"
    } else {
        ""
    };
    let system = if has("Android") {
        "Android"
    } else if has("iPhone") || has("iPad") || has("iOS") {
        "iOS"
    } else if has("Windows") {
        "Windows"
    } else if has("Mac OS X") || has("Macintosh") {
        "macOS"
    } else if has("CrOS") {
        "ChromeOS"
    } else if has("Linux") {
        "Linux"
    } else {
        ""
    };
    match (browser, system) {
        ("", "") => None,
        (b, "") => Some(b.to_string()),
        ("", s) => Some(s.to_string()),
        (b, s) => Some(format!("{b}, {s}")),
    }
}

/// The network an address belongs to: `203.0.113.0/24`, `2001:db8:7:1::/64`.
pub fn network(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => network(IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_and_systems_are_named_as_people_know_them() {
        let cases = [
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", Some("Chrome, Android")),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", Some("Safari, iOS")),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", Some("Edge, Windows")),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0", Some("Firefox, macOS")),
            ("curl/8.5.0", None),
        ];
        for (agent, named) in cases {
            assert_eq!(device(agent).as_deref(), named, "{agent}");
        }
    }

    #[test]
    fn an_address_is_shown_by_its_network_only() {
        assert_eq!(network("203.0.113.77".parse().unwrap()), "203.0.113.0/24");
        assert_eq!(
            network("2001:db8:7:1::99".parse().unwrap()),
            "2001:db8:7:1::/64"
        );
        assert_eq!(
            network("::ffff:198.51.100.9".parse().unwrap()),
            "198.51.100.0/24"
        );
    }
}
