//! Ranking a finished round: players by points, ties by name; teams by points per playing
//! member, so a bigger side does not win by size alone.

/// One player's result.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerScore {
    pub name: String,
    pub team: Option<String>,
    pub points: i64,
}

/// Players best first; equal points go by name (the same order every time).
pub fn rank_players(mut players: Vec<PlayerScore>) -> Vec<PlayerScore> {
    players.sort_by(|a, b| b.points.cmp(&a.points).then_with(|| a.name.cmp(&b.name)));
    players
}

/// A team's result.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamScore {
    pub name: String,
    /// Points per playing member (0 with nobody playing).
    pub average: f64,
    pub playing: usize,
}

/// Each of `teams` with its members' average, best first; equal averages keep `teams`' order.
pub fn team_averages(players: &[PlayerScore], teams: &[&str]) -> Vec<TeamScore> {
    let mut out: Vec<TeamScore> = teams
        .iter()
        .map(|t| {
            let members: Vec<i64> = players
                .iter()
                .filter(|p| p.team.as_deref() == Some(*t))
                .map(|p| p.points)
                .collect();
            let average = if members.is_empty() {
                0.0
            } else {
                members.iter().sum::<i64>() as f64 / members.len() as f64
            };
            TeamScore {
                name: (*t).to_string(),
                average,
                playing: members.len(),
            }
        })
        .collect();
    // Stable: a tie keeps the given order.
    out.sort_by(|a, b| b.average.total_cmp(&a.average));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, team: Option<&str>, points: i64) -> PlayerScore {
        PlayerScore {
            name: name.into(),
            team: team.map(str::to_string),
            points,
        }
    }

    #[test]
    fn players_rank_by_points_then_name() {
        let ranked = rank_players(vec![
            p("cy", None, 50),
            p("al", None, 90),
            p("bo", None, 50),
        ]);
        let names: Vec<&str> = ranked.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["al", "bo", "cy"]);
    }

    #[test]
    fn teams_rank_by_points_per_member_not_by_size() {
        let players = [
            p("a", Some("Red"), 60),
            p("b", Some("Red"), 60),
            p("c", Some("Red"), 60),
            p("d", Some("Blue"), 100),
        ];
        let teams = team_averages(&players, &["Red", "Blue"]);
        assert_eq!(teams[0].name, "Blue");
        assert_eq!((teams[0].average, teams[0].playing), (100.0, 1));
        assert_eq!((teams[1].average, teams[1].playing), (60.0, 3));
    }

    #[test]
    fn an_empty_team_scores_zero_and_ties_keep_their_order() {
        let teams = team_averages(&[], &["Red", "Blue"]);
        assert_eq!(teams[0].name, "Red");
        assert_eq!((teams[1].average, teams[1].playing), (0.0, 0));
    }
}
