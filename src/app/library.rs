//! The question banks commands draw from: the built-in banks, compiled in (the shipped senior
//! bank is the default), and the banks servers imported, loaded from the database on first use
//! and kept.
//!
//! Bank versions never change once stored (a changed file is a new version), so a loaded
//! version stays valid for the life of the process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::domain::bank::{Bank, Question};
use crate::domain::scoring::Corpus;
use crate::store::{Store, StoreError, StoredBank};

/// A bank with everything needed to score against it.
pub struct Content {
    pub bank: Bank,
    pub corpus: Corpus,
    pub stored: StoredBank,
}

impl Content {
    pub fn new(bank: Bank, stored: StoredBank) -> Content {
        Content::with_background(bank, stored, &[])
    }

    /// Scored with the corpus every bank gets in bot and terminal alike ([`Corpus::for_bank`]).
    pub fn for_bank(bank: Bank, stored: StoredBank) -> Content {
        let corpus = Corpus::for_bank(&bank);
        Content {
            bank,
            corpus,
            stored,
        }
    }

    /// Word rarity counted over `background` too (see [`Corpus::with_background`]).
    pub fn with_background(bank: Bank, stored: StoredBank, background: &[Question]) -> Content {
        let corpus = Corpus::with_background(&bank.questions, background);
        Content {
            bank,
            corpus,
            stored,
        }
    }

    fn index_of_row(&self, row: i64) -> Option<usize> {
        let (slug, _) = self
            .stored
            .question_ids
            .iter()
            .find(|(_, id)| **id == row)?;
        self.bank
            .questions
            .iter()
            .position(|q| q.id.as_str() == slug)
    }

    pub fn row_of(&self, q: &Question) -> Option<i64> {
        self.stored.question_id(q.id.as_str())
    }
}

/// A stored question together with the bank version it belongs to.
#[derive(Clone)]
pub struct Asked {
    content: Arc<Content>,
    index: usize,
}

impl Asked {
    pub fn question(&self) -> &Question {
        &self.content.bank.questions[self.index]
    }

    /// What the answer is scored against: the question's own bank.
    pub fn corpus(&self) -> &Corpus {
        &self.content.corpus
    }

    /// The id (`bank.id`) of the question's bank.
    pub fn bank_id(&self) -> &str {
        &self.content.bank.meta.id
    }
}

/// Loaded versions beyond this are dropped (and reloaded when asked for again).
const MAX_LOADED: usize = 256;

pub struct Library {
    shipped: Arc<Content>,
    /// Every built-in bank, the shipped one included, in `BUILTIN_BANKS` order.
    builtins: Vec<Arc<Content>>,
    loaded: Mutex<HashMap<i64, Arc<Content>>>,
}

impl Library {
    /// A library whose only built-in bank is `shipped`.
    pub fn new(shipped: Content) -> Library {
        Library::with_builtins(shipped, Vec::new())
    }

    /// The shipped (default) bank and the other built-in banks; `builtins()` lists `others`
    /// first, then the shipped bank (fresher, mid, senior).
    pub fn with_builtins(shipped: Content, others: Vec<Content>) -> Library {
        let shipped = Arc::new(shipped);
        let mut builtins: Vec<Arc<Content>> = others.into_iter().map(Arc::new).collect();
        builtins.push(shipped.clone());
        Library {
            shipped,
            builtins,
            loaded: Mutex::new(HashMap::new()),
        }
    }

    pub fn shipped(&self) -> &Arc<Content> {
        &self.shipped
    }

    /// Every built-in bank, the shipped one included.
    pub fn builtins(&self) -> &[Arc<Content>] {
        &self.builtins
    }

    /// The built-in bank with this id, in any case.
    pub fn builtin(&self, slug: &str) -> Option<&Arc<Content>> {
        self.builtins
            .iter()
            .find(|c| c.bank.meta.id.eq_ignore_ascii_case(slug.trim()))
    }

    /// A stored bank version, ready to score.
    pub async fn version(
        &self,
        store: &Store,
        bank_id: i64,
    ) -> Result<Option<Arc<Content>>, StoreError> {
        if let Some(builtin) = self.builtins.iter().find(|c| c.stored.id == bank_id) {
            return Ok(Some(builtin.clone()));
        }
        if let Some(found) = self.cached(bank_id) {
            return Ok(Some(found));
        }
        let Some(version) = store.bank_version(bank_id).await? else {
            return Ok(None);
        };
        // Stored text passed the same checks when it was imported; failing now means the
        // database was edited by hand or this binary's rules changed.
        let bank = Bank::from_file_text(&format!("bank {}", version.slug), &version.source)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        // A server's bank may be a handful of questions: count word rarity over the shipped
        // bank as well.
        let content = Arc::new(Content::with_background(
            bank,
            version.stored,
            &self.shipped.bank.questions,
        ));
        if let Ok(mut loaded) = self.loaded.lock() {
            if loaded.len() >= MAX_LOADED {
                loaded.clear();
            }
            loaded.insert(bank_id, content.clone());
        }
        Ok(Some(content))
    }

    fn cached(&self, bank_id: i64) -> Option<Arc<Content>> {
        self.loaded.lock().ok()?.get(&bank_id).cloned()
    }

    /// The question stored as `row`, from whichever bank version holds it.
    pub async fn question(&self, store: &Store, row: i64) -> Result<Option<Asked>, StoreError> {
        for builtin in &self.builtins {
            if let Some(index) = builtin.index_of_row(row) {
                return Ok(Some(Asked {
                    content: builtin.clone(),
                    index,
                }));
            }
        }
        let Some(bank_id) = store.bank_of_question(row).await? else {
            return Ok(None);
        };
        let Some(content) = self.version(store, bank_id).await? else {
            return Ok(None);
        };
        Ok(content
            .index_of_row(row)
            .map(|index| Asked { content, index }))
    }

    /// The bank a server asked for by id: a built-in bank when `slug` names one (the shipped
    /// bank when it is `None`), otherwise the server's own bank's active version.
    pub async fn for_server(
        &self,
        store: &Store,
        guild_id: i64,
        slug: Option<&str>,
    ) -> Result<Option<Arc<Content>>, StoreError> {
        let slug = match slug.map(str::trim) {
            None | Some("") => return Ok(Some(self.shipped.clone())),
            Some(s) => match self.builtin(s) {
                Some(builtin) => return Ok(Some(builtin.clone())),
                None => s,
            },
        };
        match store.active_bank_id(guild_id, slug).await? {
            Some(id) => self.version(store, id).await,
            None => Ok(None),
        }
    }
}
