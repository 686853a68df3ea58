-- The local demo: one cabinet account and its clinic site. INSERT OR IGNORE keeps a second start a no-op.
INSERT OR IGNORE INTO accounts (id) VALUES ('demo-clinic');
INSERT OR IGNORE INTO sites (id, account_id, name, domain, site_key)
  VALUES ('site-demo', 'demo-clinic', 'Демо-клиника', '127.0.0.1', 'demo-site-key');
