// A step's plan: a coroutine that yields effects (commit, ask Heroku, wait) and is resumed
// with what each observed. Pure: it never touches a socket, a clock or the store itself.
#pragma once

#include "statemachine/requests.hpp"
#include "statemachine/step_env.hpp"

#include <any>
#include <cassert>
#include <chrono>
#include <coroutine>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace pgshift::plan {

// Commit the working upgrade (env.u) with one history entry. A commit that completes a
// Heroku write (effect_recorded right after it) carries that write's effect id.
struct commit_effect {
    event_type type = event_type::effect_recorded;
    std::string detail;
    std::string identity;    // the add-on id, transfer uuid … it records; "" when none
    std::string crash_after; // test-only crash point passed after the commit ("" none)
};

// One request. A write (POST/PATCH/DELETE) is preceded by a committed effect_requested
// with a fresh effect id and followed by its outcome with the same id; the interpreter
// does both, so no plan can forget them.
struct call_effect {
    request req;
    std::string name; // a write's short name: crash points "after_<name>_intent", "after_<name>"
    std::string what; // a write's effect_requested detail, for the history
};

// Sleep, or less when an operator command arrives (then env.u is the fresher record).
struct wait_effect {
    std::chrono::milliseconds delay{0};
};

using effect = std::variant<call_effect, commit_effect, wait_effect>;

// Shared by a root plan and every sub-plan it awaits: the effect the innermost one yielded,
// the answer the driver puts back, and which coroutine to resume with it.
struct channel {
    effect pending;
    std::any answer;
    std::coroutine_handle<> innermost;
};

// The channel of the plan being resumed: set by runner::resume for the duration of the
// resume, read by ask/act/commit/wait. The effect is written there directly, so nothing
// non-trivial is a temporary of a co_await expression (GCC 12 relocates those bitwise).
inline thread_local channel* resuming = nullptr;

// The awaitable of an effect already in the channel, and the type of its answer.
template<class Answer>
struct [[nodiscard]] effect_request {
    channel* ch;
};

// Suspends the plan (its effect is already in the channel); resumes with the driver's
// answer, of type Answer.
template<class Answer>
struct answer_awaiter {
    channel* ch;

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) const noexcept { ch->innermost = h; }
    Answer await_resume() const {
        if constexpr (!std::is_void_v<Answer>) {
            return std::any_cast<Answer>(std::move(ch->answer));
        }
    }
};

template<class T>
class [[nodiscard]] task {
public:
    struct promise_type {
        std::optional<T> value;
        std::exception_ptr error;
        channel* ch = nullptr;
        std::coroutine_handle<> parent; // null for the root plan

        task get_return_object() {
            return task(std::coroutine_handle<promise_type>::from_promise(*this));
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        struct final_awaiter {
            bool await_ready() noexcept { return false; }
            std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
                auto p = h.promise().parent;
                return p ? p : std::noop_coroutine();
            }
            void await_resume() noexcept {}
        };
        final_awaiter final_suspend() noexcept { return {}; }
        void return_value(T v) { value = std::move(v); }
        void unhandled_exception() { error = std::current_exception(); }

        template<class Answer>
        answer_awaiter<Answer> await_transform(effect_request<Answer> r) noexcept {
            return answer_awaiter<Answer>{r.ch};
        }
        template<class U>
        task<U>&& await_transform(task<U>&& sub) noexcept {
            return std::move(sub);
        }
    };
    using handle = std::coroutine_handle<promise_type>;

    task(task&& other) noexcept
        : h_(std::exchange(other.h_, {})) {}
    task& operator=(task&&) = delete;
    ~task() {
        if (h_) {
            h_.destroy();
        }
    }

    // Awaiting a sub-plan runs it inline: its effects go to the same driver.
    bool await_ready() const noexcept { return false; }
    template<class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> awaiting) noexcept {
        h_.promise().ch = awaiting.promise().ch;
        h_.promise().parent = awaiting;
        return h_;
    }
    T await_resume() { return take(); }

    handle get() const noexcept { return h_; }
    T take() {
        if (h_.promise().error) {
            std::rethrow_exception(h_.promise().error);
        }
        return std::move(*h_.promise().value);
    }

private:
    explicit task(handle h)
        : h_(h) {}
    handle h_;
};

// A read: `auto a = co_await ask<rq::get_addon>(app, id);` is the request's outcome. The
// descriptor is built here, from its fields: an aggregate braced inside a co_await
// expression is relocated bitwise by GCC 12 (its strings then point into freed memory).
template<class R, class... A>
effect_request<typename R::answer> ask(A&&... fields) {
    static_assert(!R::writes, "a write goes through act(): its intent is committed first");
    resuming->pending = call_effect{request(R{std::forward<A>(fields)...}), {}, {}};
    return {resuming};
}

// A write, with its short name (crash points) and the history's words for it.
template<class R, class... A>
effect_request<typename R::answer> act(std::string name, std::string what, A&&... fields) {
    static_assert(R::writes, "a read goes through ask()");
    resuming->pending =
        call_effect{request(R{std::forward<A>(fields)...}), std::move(name), std::move(what)};
    return {resuming};
}

inline effect_request<void> commit(event_type type, std::string detail, std::string identity = {},
                                   std::string crash_after = {}) {
    resuming->pending =
        commit_effect{type, std::move(detail), std::move(identity), std::move(crash_after)};
    return {resuming};
}

inline effect_request<void> wait(std::chrono::milliseconds d) {
    resuming->pending = wait_effect{d};
    return {resuming};
}

// Drives a root plan: each resume() runs it to its next effect, or to its end.
template<class T>
class runner {
public:
    explicit runner(task<T> root)
        : root_(std::move(root)) {
        root_.get().promise().ch = &ch_;
        ch_.innermost = root_.get();
    }
    runner(const runner&) = delete;
    runner& operator=(const runner&) = delete;

    // Resumes with the answer to the last effect (nothing for the first call, a commit or a
    // wait). The next effect, or nullptr when the plan has ended (then result()).
    const effect* resume(std::any answer = {}) {
        assert(!root_.get().done());
        ch_.answer = std::move(answer);
        channel* outer = std::exchange(resuming, &ch_);
        ch_.innermost.resume();
        resuming = outer;
        return root_.get().done() ? nullptr : &ch_.pending;
    }
    T result() { return root_.take(); }

private:
    channel ch_;
    task<T> root_;
};

} // namespace pgshift::plan
