"""Knowledge base: articles, search, suggestions and automatic answers for the service desk.

Articles (zh/en; draft, published, archived) keep every earlier version. Published articles
are searchable: Chinese segmented by jieba, English lower-cased and stemmed, ranked with BM25
(tokens, bm25). Each tenant's index is a few compact items the stream rewrites when a
published article changes (search_index, search); a search reads it once per process and
index version. The desk (below this area) asks `service.suggest` for a new ticket's best
articles, answers at once for the ticket types `service.auto_answer_types` names when the best
match is confident, drafts articles from resolved tickets and reports unanswered questions
(gaps). Limits: 2,000 published articles per tenant, bodies up to 20,000 characters, about
3 MB of compressed index (see search_index).
"""
