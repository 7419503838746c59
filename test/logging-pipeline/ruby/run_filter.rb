# Runs the `init` and `code` of a Logstash ruby filter the way logstash-filter-ruby
# does (init evaluated in the filter instance, code wrapped in a lambda taking
# the event), on events given as JSON, with a minimal LogStash::Event that has
# the semantics the filter relies on: field references, copies on get,
# intermediate objects created on set, @metadata hidden from to_hash.
#
# usage: ruby run_filter.rb INIT_FILE CODE_FILE EVENTS_JSON_FILE  (prints JSON results)
require "json"

module LogStash
  class Event
    def initialize(data)
      @data = data
      @cancelled = false
    end

    def get(ref)
      path(ref).reduce(@data) { |node, key| node.is_a?(Hash) ? node[key] : nil }.then { |v| copy(v) }
    end

    def set(ref, value)
      keys = path(ref)
      parent = keys[0..-2].reduce(@data) do |node, key|
        node[key] = {} unless node[key].is_a?(Hash)
        node[key]
      end
      parent[keys[-1]] = copy(value)
    end

    def remove(ref)
      keys = path(ref)
      parent = keys[0..-2].reduce(@data) { |node, key| node.is_a?(Hash) ? node[key] : nil }
      parent.is_a?(Hash) ? parent.delete(keys[-1]) : nil
    end

    def include?(ref)
      !get(ref).nil?
    end

    def tag(name)
      tags = @data["tags"] ||= []
      tags << name unless tags.include?(name)
    end

    def cancel
      @cancelled = true
    end

    def cancelled?
      @cancelled
    end

    def to_hash
      copy(@data.reject { |k, _| k == "@metadata" })
    end

    def to_hash_with_metadata
      copy(@data)
    end

    private

    def path(ref)
      ref.start_with?("[") ? ref.scan(/\[([^\]]+)\]/).flatten : [ref]
    end

    def copy(value)
      value.nil? ? nil : Marshal.load(Marshal.dump(value))
    end
  end
end

class RubyFilter
  def initialize(init, code)
    eval(init, binding, "(ruby filter init)")
    eval("@codeblock = lambda { |event, &new_event_block| #{code} }", binding, "(ruby filter code)")
  end

  def filter(event)
    @codeblock.call(event)
  end
end

init, code, events = ARGV.map { |f| File.read(f) }
filter = RubyFilter.new(init, code)
results = JSON.parse(events).map do |data|
  event = LogStash::Event.new(data)
  filter.filter(event)
  event.cancelled? ? nil : event.to_hash_with_metadata
end
puts JSON.generate(results)
