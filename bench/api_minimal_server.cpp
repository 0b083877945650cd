// The yardstick of bench/api: the least a Beast HTTP/1.1 keep-alive server does to answer
// one fixed body, on one single-threaded io_context with coroutines, as pgshiftd serves.
//
// Usage: api_minimal_server BODY_FILE — listens on 127.0.0.1 (a free port), prints
// "port N" on stdout, and answers every request 200 with BODY_FILE's bytes and the headers
// pgshiftd sends (Server, Content-Type, Content-Length) until killed.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto use_tuple = net::as_tuple(net::use_awaitable);

net::awaitable<void> serve(tcp::socket socket, const std::string& body) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> req;
        auto [rec, rn] = co_await http::async_read(socket, buffer, req, use_tuple);
        if (rec) {
            co_return;
        }
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::server, "pgshiftd");
        res.set(http::field::content_type, "application/json");
        res.keep_alive(req.keep_alive());
        res.body() = body;
        res.prepare_payload();
        auto [wec, wn] = co_await http::async_write(socket, res, use_tuple);
        if (wec || !res.keep_alive()) {
            co_return;
        }
    }
}

net::awaitable<void> accept_loop(tcp::acceptor& acceptor, const std::string& body) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec) {
            co_return;
        }
        net::co_spawn(acceptor.get_executor(), serve(std::move(socket), body), net::detached);
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: api_minimal_server BODY_FILE\n");
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "api_minimal_server: cannot read %s\n", argv[1]);
        return 1;
    }
    const std::string body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    net::io_context io{1};
    tcp::acceptor acceptor(io, {net::ip::make_address("127.0.0.1"), 0});
    std::printf("port %u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
    std::fflush(stdout);
    net::co_spawn(io, accept_loop(acceptor, body), net::detached);
    io.run();
    return 0;
}
