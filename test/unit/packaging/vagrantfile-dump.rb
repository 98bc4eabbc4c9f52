# Loads a Vagrantfile against a recording stand-in for Vagrant and prints what it configured
# as JSON, so tests can check the topology without a provider: ruby vagrantfile-dump.rb PATH.
require "json"

# Records setter calls as attrs, argument-less calls as nested recorders (config.vm), and
# every other call with its arguments and, for blocks, what the block configured.
class Recorder < BasicObject
  def initialize
    @attrs = {}
    @calls = []
    @children = {}
  end

  def method_missing(name, *args, **opts, &blk)
    s = name.to_s
    if s.end_with?("=")
      @attrs[s.chomp("=")] = args.first
      return args.first
    end
    return (@children[s] ||= ::Recorder.new) if args.empty? && opts.empty? && blk.nil?

    inner = nil
    if blk
      inner = ::Recorder.new
      blk.call(inner, ::Recorder.new)
    end
    @calls << { "method" => s, "args" => args, "opts" => opts, "block" => inner&.__dump }
    inner
  end

  def respond_to_missing?(*)
    true
  end

  def __dump
    {
      "attrs" => @attrs,
      "calls" => @calls,
      "children" => @children.transform_values(&:__dump),
    }
  end
end

module Vagrant
  CONFIGS = []

  def self.configure(version)
    rec = ::Recorder.new
    yield rec
    CONFIGS << { "version" => version, "config" => rec.__dump }
  end
end

path = ARGV.fetch(0)
Dir.chdir(File.dirname(File.expand_path(path))) do
  load File.basename(path)
end
puts JSON.generate(Vagrant::CONFIGS)
