"""The marketplace: products and their licenses, orders paid exactly once, downloads for buyers.

``service.py`` holds the store (who sells, products, the list, updates) and ``money.py`` the
cents and the one map of the contract's license vocabularies; ``orders.py`` prices orders,
refuses what cannot be bought, honours ``Idempotency-Key`` and sells an exclusive license once;
``promotions.py`` the promo codes; ``payments.py`` the payment interface, the sandbox provider
and the order's state machine (ORDER_PAID, the seller's notification, the audit rows);
``downloads.py`` the buyers' signed URLs and the licence check playback makes for track
downloads; ``access.py`` the guards, ``repository.py`` every query and the readable-by rule;
``admin.py`` what ``veza marketplace`` runs; ``subscribers.py`` withdraws the listings of
deleted tracks and sellers; ``tasks.py`` forgets old idempotency keys."""
