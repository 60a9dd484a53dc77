// Leeway's GraphiQL, pointed at this server's /graphql. A script file, not
// an inline one, so the page's Content-Security-Policy can forbid inline
// script. Headers (where a bearer token is pasted) are not kept in the
// browser's storage.
(function () {
  var fetcher = GraphiQL.createFetcher({
    url: new URL("/graphql", window.location.href).toString(),
  });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false,
      defaultQuery:
        "# Leeway's GraphQL API. To sign in, open Headers below and paste\n" +
        '# {"Authorization": "Bearer <your token>"}\n' +
        "# The provision catalog is public:\n" +
        "{\n  provisions { citation title waivable }\n}\n",
    })
  );
})();
